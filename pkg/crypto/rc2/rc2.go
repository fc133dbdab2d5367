package rc2

import (
	"crypto/cipher"
	"encoding/binary"
	"math/bits"
)

// BlockSize is the RC2 block size in bytes.
const BlockSize = 8

// rc2Cipher holds the expanded key K[0..63] of RFC 2268 §2.
type rc2Cipher struct {
	k [64]uint16
}

// NewCipher returns RC2 keyed with key (1..128 bytes) and limited to
// effectiveBits (1..1024) effective key bits, as RFC 2268 §2 defines; for
// pbeWithSHA1And40BitRC2-CBC that is a 5-byte key and 40 bits. Bad lengths
// yield a *KeySizeError or *EffectiveBitsError.
func NewCipher(key []byte, effectiveBits int) (cipher.Block, error) {
	if len(key) < 1 || len(key) > 128 {
		return nil, &KeySizeError{Len: len(key)}
	}
	if effectiveBits < 1 || effectiveBits > 1024 {
		return nil, &EffectiveBitsError{Bits: effectiveBits}
	}
	c := &rc2Cipher{}
	c.expandKey(key, effectiveBits)
	return c, nil
}

// expandKey is the key expansion of RFC 2268 §2.
func (c *rc2Cipher) expandKey(key []byte, effectiveBits int) {
	var l [128]byte
	t := len(key)
	copy(l[:], key)
	for i := t; i < 128; i++ {
		l[i] = piTable[l[i-1]+l[i-t]]
	}
	t8 := (effectiveBits + 7) / 8
	tm := byte(255 >> uint(8*t8-effectiveBits))
	l[128-t8] = piTable[l[128-t8]&tm]
	for i := 127 - t8; i >= 0; i-- {
		l[i] = piTable[l[i+1]^l[i+t8]]
	}
	for i := range c.k {
		c.k[i] = uint16(l[2*i]) | uint16(l[2*i+1])<<8
	}
	clear(l[:])
}

// BlockSize returns the RC2 block size, 8.
func (c *rc2Cipher) BlockSize() int { return BlockSize }

// Encrypt encrypts the first block of src into dst. As with every
// crypto/cipher.Block, short buffers are a programming error and panic.
func (c *rc2Cipher) Encrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("rc2: input not full block")
	}
	r0 := binary.LittleEndian.Uint16(src[0:])
	r1 := binary.LittleEndian.Uint16(src[2:])
	r2 := binary.LittleEndian.Uint16(src[4:])
	r3 := binary.LittleEndian.Uint16(src[6:])
	k := &c.k
	j := 0
	mix := func() {
		r0 = bits.RotateLeft16(r0+k[j]+(r3&r2)+(^r3&r1), 1)
		r1 = bits.RotateLeft16(r1+k[j+1]+(r0&r3)+(^r0&r2), 2)
		r2 = bits.RotateLeft16(r2+k[j+2]+(r1&r0)+(^r1&r3), 3)
		r3 = bits.RotateLeft16(r3+k[j+3]+(r2&r1)+(^r2&r0), 5)
		j += 4
	}
	mash := func() {
		r0 += k[r3&63]
		r1 += k[r0&63]
		r2 += k[r1&63]
		r3 += k[r2&63]
	}
	// RFC 2268 §3: five mixing rounds, a mash, six mixing rounds, a mash,
	// five mixing rounds.
	for range 5 {
		mix()
	}
	mash()
	for range 6 {
		mix()
	}
	mash()
	for range 5 {
		mix()
	}
	binary.LittleEndian.PutUint16(dst[0:], r0)
	binary.LittleEndian.PutUint16(dst[2:], r1)
	binary.LittleEndian.PutUint16(dst[4:], r2)
	binary.LittleEndian.PutUint16(dst[6:], r3)
}

// Decrypt decrypts the first block of src into dst. As with every
// crypto/cipher.Block, short buffers are a programming error and panic.
func (c *rc2Cipher) Decrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("rc2: input not full block")
	}
	r0 := binary.LittleEndian.Uint16(src[0:])
	r1 := binary.LittleEndian.Uint16(src[2:])
	r2 := binary.LittleEndian.Uint16(src[4:])
	r3 := binary.LittleEndian.Uint16(src[6:])
	k := &c.k
	j := 63
	rmix := func() {
		r3 = bits.RotateLeft16(r3, -5) - k[j] - (r2 & r1) - (^r2 & r0)
		r2 = bits.RotateLeft16(r2, -3) - k[j-1] - (r1 & r0) - (^r1 & r3)
		r1 = bits.RotateLeft16(r1, -2) - k[j-2] - (r0 & r3) - (^r0 & r2)
		r0 = bits.RotateLeft16(r0, -1) - k[j-3] - (r3 & r2) - (^r3 & r1)
		j -= 4
	}
	rmash := func() {
		r3 -= k[r2&63]
		r2 -= k[r1&63]
		r1 -= k[r0&63]
		r0 -= k[r3&63]
	}
	// RFC 2268 §4: the encryption schedule run backwards.
	for range 5 {
		rmix()
	}
	rmash()
	for range 6 {
		rmix()
	}
	rmash()
	for range 5 {
		rmix()
	}
	binary.LittleEndian.PutUint16(dst[0:], r0)
	binary.LittleEndian.PutUint16(dst[2:], r1)
	binary.LittleEndian.PutUint16(dst[4:], r2)
	binary.LittleEndian.PutUint16(dst[6:], r3)
}
