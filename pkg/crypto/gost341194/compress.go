package gost341194

import "encoding/binary"

// c3 is the constant C_3 of the key generation, as little-endian bytes.
var c3 = [32]byte{
	0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0x00, 0xff,
	0xff, 0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0x00,
	0x00, 0xff, 0xff, 0x00, 0xff, 0x00, 0x00, 0xff,
	0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0xff,
}

// transformA is A(y4||y3||y2||y1) = (y1^y2)||y4||y3||y2 on 64-bit words,
// y1 being the least significant.
func transformA(y *[32]byte) {
	var t [8]byte
	for i := range t {
		t[i] = y[i] ^ y[8+i]
	}
	copy(y[0:24], y[8:32])
	copy(y[24:32], t[:])
}

// transformP is the byte permutation φ(i+1+4(k-1)) = 8i+k of the key
// generation, in 0-based indices: out[i+4k] = in[8i+k].
func transformP(in *[32]byte) [32]byte {
	var out [32]byte
	for i := 0; i < 4; i++ {
		for k := 0; k < 8; k++ {
			out[i+4*k] = in[8*i+k]
		}
	}
	return out
}

// psiPower applies ψ n times to the 16-bit words of y. ψ shifts the words
// down by one and appends y1^y2^y3^y4^y13^y16; a sliding window over a
// buffer of 16+n words computes ψ^n without moving data.
func psiPower(y *[32]byte, n int) {
	var w [16 + 61]uint16
	for i := 0; i < 16; i++ {
		w[i] = binary.LittleEndian.Uint16(y[2*i:])
	}
	for i := 0; i < n; i++ {
		w[16+i] = w[i] ^ w[i+1] ^ w[i+2] ^ w[i+3] ^ w[i+12] ^ w[i+15]
	}
	for i := 0; i < 16; i++ {
		binary.LittleEndian.PutUint16(y[2*i:], w[n+i])
	}
}

// compress is the step function f(H, M) of GOST R 34.11-94 §7: key
// generation, encryption of the four 64-bit words of H, and the ψ shuffle
// H' = ψ^61(H ^ ψ(M ^ ψ^12(S))).
func compress(h *[32]byte, m *[32]byte) {
	u, v := *h, *m
	var s [32]byte
	for j := 0; j < 4; j++ {
		if j > 0 {
			transformA(&u)
			if j == 2 {
				for i := range u {
					u[i] ^= c3[i]
				}
			}
			transformA(&v)
			transformA(&v)
		}
		var w [32]byte
		for i := range w {
			w[i] = u[i] ^ v[i]
		}
		key := transformP(&w)
		encryptBlock(&key, h[8*j:8*j+8], s[8*j:8*j+8])
	}

	psiPower(&s, 12)
	for i := range s {
		s[i] ^= m[i]
	}
	psiPower(&s, 1)
	for i := range s {
		s[i] ^= h[i]
	}
	psiPower(&s, 61)
	*h = s
}
