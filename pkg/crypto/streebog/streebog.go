package streebog

import (
	"encoding/binary"
	"hash"
)

const (
	// Size512 is the length in bytes of a Streebog-512 digest.
	Size512 = 64
	// Size256 is the length in bytes of a Streebog-256 digest.
	Size256 = 32
	// BlockSize is the block size of Streebog in bytes.
	BlockSize = 64
)

// digest is the running state of one hash computation. The 256-bit variant
// differs only in its IV and in keeping the upper half of the final state.
type digest struct {
	h     block // chaining value
	n     block // number of message bits processed, mod 2^512
	sigma block // sum of message blocks, mod 2^512
	buf   [BlockSize]byte
	nbuf  int
	size  int
}

// New512 returns a hash.Hash computing Streebog-512. Sum appends the digest
// in gost-engine byte order (see the package documentation).
func New512() hash.Hash {
	d := &digest{size: Size512}
	d.Reset()
	return d
}

// New256 returns a hash.Hash computing Streebog-256. Sum appends the digest
// in gost-engine byte order (see the package documentation).
func New256() hash.Hash {
	d := &digest{size: Size256}
	d.Reset()
	return d
}

// Sum512 returns the Streebog-512 digest of data in gost-engine byte order.
func Sum512(data []byte) [Size512]byte {
	d := digest{size: Size512}
	d.Reset()
	d.Write(data)
	var out [Size512]byte
	d.checkSum(out[:0]) // appends into out's own storage: no allocation
	return out
}

// Sum256 returns the Streebog-256 digest of data in gost-engine byte order.
func Sum256(data []byte) [Size256]byte {
	d := digest{size: Size256}
	d.Reset()
	d.Write(data)
	var out [Size256]byte
	d.checkSum(out[:0]) // appends into out's own storage: no allocation
	return out
}

// Reset restores the initial state.
func (d *digest) Reset() {
	// The 256-bit IV is 0x01 in every byte; the 512-bit IV is all zero.
	var iv uint64
	if d.size == Size256 {
		iv = 0x0101010101010101
	}
	for i := range d.h {
		d.h[i] = iv
	}
	d.n = block{}
	d.sigma = block{}
	d.nbuf = 0
}

// Size returns the digest length in bytes.
func (d *digest) Size() int { return d.size }

// BlockSize returns the block length in bytes.
func (d *digest) BlockSize() int { return BlockSize }

// Write absorbs p. It never fails.
func (d *digest) Write(p []byte) (int, error) {
	total := len(p)
	if d.nbuf > 0 {
		c := copy(d.buf[d.nbuf:], p)
		d.nbuf += c
		p = p[c:]
		if d.nbuf < BlockSize {
			return total, nil
		}
		d.processBlock(d.buf[:])
		d.nbuf = 0
	}
	// RFC 6986 §8.2: every complete 512-bit block is compressed at once,
	// even when it ends the message; the final step then pads an empty rest.
	for len(p) >= BlockSize {
		d.processBlock(p[:BlockSize])
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
	return total, nil
}

// processBlock absorbs one full 64-byte block.
func (d *digest) processBlock(p []byte) {
	m := loadBlock(p)
	compress(&d.h, &d.n, &m)
	addSmall(&d.n, 8*BlockSize)
	add512(&d.sigma, &m)
}

// Sum appends the digest of the data written so far to b without changing
// the running state.
func (d *digest) Sum(b []byte) []byte {
	c := *d
	return c.checkSum(b)
}

// checkSum finalises d (RFC 6986 §8.3) and appends the digest to b.
func (d *digest) checkSum(b []byte) []byte {
	var pad [BlockSize]byte
	copy(pad[:], d.buf[:d.nbuf])
	pad[d.nbuf] = 0x01
	m := loadBlock(pad[:])
	compress(&d.h, &d.n, &m)
	addSmall(&d.n, uint64(8*d.nbuf))
	add512(&d.sigma, &m)

	var zero block
	compress(&d.h, &zero, &d.n)
	compress(&d.h, &zero, &d.sigma)

	var out [Size512]byte
	for i, w := range d.h {
		binary.LittleEndian.PutUint64(out[8*i:], w)
	}
	if d.size == Size256 {
		// MSB_256 of the state: its upper half, which in little-endian
		// layout is the second 32 bytes.
		return append(b, out[Size256:]...)
	}
	return append(b, out[:]...)
}
