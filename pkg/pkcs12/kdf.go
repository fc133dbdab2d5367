package pkcs12

import (
	"errors"
	"hash"
	"unicode/utf16"
)

// Diversifier IDs of RFC 7292 appendix B.3.
const (
	kdfIDKey = 1 // encryption key
	kdfIDIV  = 2 // initialisation vector
	kdfIDMAC = 3 // integrity (MAC) key
)

// MaxIterations caps the iteration counts a container may request, so a
// hostile file cannot pin the CPU. Real containers use 1024–10000.
const MaxIterations = 1 << 21

var errNonBMPPassword = errors.New("pkcs12: password contains characters outside the Unicode BMP")

// bmpPassword encodes a password as RFC 7292 wants it for the PKCS#12 KDF:
// big-endian UTF-16 (BMPString) with a two-byte zero terminator. The empty
// password becomes just the terminator.
func bmpPassword(password string) ([]byte, error) {
	out := make([]byte, 0, 2*len(password)+2)
	for _, r := range password {
		if r > 0xffff || utf16.IsSurrogate(r) {
			return nil, errNonBMPPassword
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return append(out, 0, 0), nil
}

// pkcs12KDF derives size bytes per RFC 7292 appendix B.2 from a BMPString
// password (as returned by bmpPassword), salt, iteration count and
// diversifier id, using hash h. u is h's output size and v its block size,
// which is what the RFC prescribes for the SHA family.
func pkcs12KDF(newHash func() hash.Hash, password, salt []byte, iterations, id, size int) []byte {
	h := newHash()
	u := h.Size()
	v := h.BlockSize()

	// D: v copies of the id byte.
	D := make([]byte, v)
	for i := range D {
		D[i] = byte(id)
	}
	// I = S || P, each repeated to a multiple of v bytes.
	fill := func(src []byte) []byte {
		if len(src) == 0 {
			return nil
		}
		n := v * ((len(src) + v - 1) / v)
		out := make([]byte, n)
		for i := range out {
			out[i] = src[i%len(src)]
		}
		return out
	}
	I := append(fill(salt), fill(password)...)

	out := make([]byte, 0, size+u)
	B := make([]byte, v)
	for len(out) < size {
		h.Reset()
		h.Write(D)
		h.Write(I)
		A := h.Sum(nil)
		for j := 1; j < iterations; j++ {
			h.Reset()
			h.Write(A)
			A = h.Sum(A[:0])
		}
		out = append(out, A...)
		if len(out) >= size {
			break
		}
		// B = A repeated to v bytes; each v-byte block of I becomes
		// (I_j + B + 1) mod 2^(8v).
		for i := range B {
			B[i] = A[i%len(A)]
		}
		for j := 0; j < len(I); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				carry += int(I[j+k]) + int(B[k])
				I[j+k] = byte(carry)
				carry >>= 8
			}
		}
	}
	return out[:size]
}
