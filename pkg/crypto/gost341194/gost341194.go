package gost341194

import (
	"encoding/binary"
	"hash"
	"math/bits"
)

const (
	// Size is the length in bytes of a GOST R 34.11-94 digest.
	Size = 32
	// BlockSize is the block size of GOST R 34.11-94 in bytes.
	BlockSize = 32
)

// digest is the running state: chaining value, checksum Σ of all blocks
// (mod 2^256) and the message length.
type digest struct {
	h     [32]byte
	sigma [4]uint64
	n     uint64 // bytes absorbed
	buf   [BlockSize]byte
	nbuf  int
}

// New returns a hash.Hash computing GOST R 34.11-94 with the test parameter
// set and a zero IV. Sum appends the digest in DigestValue byte order
// (see the package documentation).
func New() hash.Hash {
	return &digest{}
}

// Sum returns the GOST R 34.11-94 (test parameter set) digest of data in
// DigestValue byte order (see the package documentation).
func Sum(data []byte) [Size]byte {
	var d digest
	d.Write(data)
	var out [Size]byte
	copy(out[:], d.finish())
	return out
}

// Reset restores the initial state.
func (d *digest) Reset() { *d = digest{} }

// Size returns the digest length in bytes.
func (d *digest) Size() int { return Size }

// BlockSize returns the block length in bytes.
func (d *digest) BlockSize() int { return BlockSize }

// Write absorbs p. It never fails.
func (d *digest) Write(p []byte) (int, error) {
	total := len(p)
	d.n += uint64(total)
	if d.nbuf > 0 {
		c := copy(d.buf[d.nbuf:], p)
		d.nbuf += c
		p = p[c:]
		if d.nbuf < BlockSize {
			return total, nil
		}
		d.block(&d.buf)
		d.nbuf = 0
	}
	for len(p) >= BlockSize {
		d.block((*[BlockSize]byte)(p[:BlockSize]))
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
	return total, nil
}

func (d *digest) block(m *[BlockSize]byte) {
	compress(&d.h, m)
	var carry uint64
	for i := range d.sigma {
		d.sigma[i], carry = bits.Add64(d.sigma[i], binary.LittleEndian.Uint64(m[8*i:]), carry)
	}
}

// Sum appends the digest of the data written so far to b without changing
// the running state.
func (d *digest) Sum(b []byte) []byte {
	c := *d
	return append(b, c.finish()...)
}

// finish pads the last partial block with zeros (an empty rest adds no
// block), then compresses the bit length and the checksum.
func (d *digest) finish() []byte {
	if d.nbuf > 0 {
		var m [BlockSize]byte
		copy(m[:], d.buf[:d.nbuf])
		d.block(&m)
	}
	var l [32]byte
	hi, lo := bits.Mul64(d.n, 8)
	binary.LittleEndian.PutUint64(l[0:], lo)
	binary.LittleEndian.PutUint64(l[8:], hi)
	compress(&d.h, &l)

	var s [32]byte
	for i, w := range d.sigma {
		binary.LittleEndian.PutUint64(s[8*i:], w)
	}
	compress(&d.h, &s)
	return d.h[:]
}
