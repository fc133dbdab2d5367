package streebog

import (
	"encoding/binary"
	"math/bits"
)

// block is a 512-bit vector as eight little-endian 64-bit words.
type block = [8]uint64

// lpsXor computes L(P(S(a ^ b))) with the fused tables. It is fully
// unrolled so that, with constant shifts, the compiler keeps the eight words
// in registers; folding the XOR in saves a pass over the state.
func lpsXor(a, b *block) block {
	t := lpsTable
	x0, x1, x2, x3 := a[0]^b[0], a[1]^b[1], a[2]^b[2], a[3]^b[3]
	x4, x5, x6, x7 := a[4]^b[4], a[5]^b[5], a[6]^b[6], a[7]^b[7]
	var r block
	r[0] = t[0][byte(x0)] ^
		t[1][byte(x1)] ^
		t[2][byte(x2)] ^
		t[3][byte(x3)] ^
		t[4][byte(x4)] ^
		t[5][byte(x5)] ^
		t[6][byte(x6)] ^
		t[7][byte(x7)]
	r[1] = t[0][byte(x0>>8)] ^
		t[1][byte(x1>>8)] ^
		t[2][byte(x2>>8)] ^
		t[3][byte(x3>>8)] ^
		t[4][byte(x4>>8)] ^
		t[5][byte(x5>>8)] ^
		t[6][byte(x6>>8)] ^
		t[7][byte(x7>>8)]
	r[2] = t[0][byte(x0>>16)] ^
		t[1][byte(x1>>16)] ^
		t[2][byte(x2>>16)] ^
		t[3][byte(x3>>16)] ^
		t[4][byte(x4>>16)] ^
		t[5][byte(x5>>16)] ^
		t[6][byte(x6>>16)] ^
		t[7][byte(x7>>16)]
	r[3] = t[0][byte(x0>>24)] ^
		t[1][byte(x1>>24)] ^
		t[2][byte(x2>>24)] ^
		t[3][byte(x3>>24)] ^
		t[4][byte(x4>>24)] ^
		t[5][byte(x5>>24)] ^
		t[6][byte(x6>>24)] ^
		t[7][byte(x7>>24)]
	r[4] = t[0][byte(x0>>32)] ^
		t[1][byte(x1>>32)] ^
		t[2][byte(x2>>32)] ^
		t[3][byte(x3>>32)] ^
		t[4][byte(x4>>32)] ^
		t[5][byte(x5>>32)] ^
		t[6][byte(x6>>32)] ^
		t[7][byte(x7>>32)]
	r[5] = t[0][byte(x0>>40)] ^
		t[1][byte(x1>>40)] ^
		t[2][byte(x2>>40)] ^
		t[3][byte(x3>>40)] ^
		t[4][byte(x4>>40)] ^
		t[5][byte(x5>>40)] ^
		t[6][byte(x6>>40)] ^
		t[7][byte(x7>>40)]
	r[6] = t[0][byte(x0>>48)] ^
		t[1][byte(x1>>48)] ^
		t[2][byte(x2>>48)] ^
		t[3][byte(x3>>48)] ^
		t[4][byte(x4>>48)] ^
		t[5][byte(x5>>48)] ^
		t[6][byte(x6>>48)] ^
		t[7][byte(x7>>48)]
	r[7] = t[0][byte(x0>>56)] ^
		t[1][byte(x1>>56)] ^
		t[2][byte(x2>>56)] ^
		t[3][byte(x3>>56)] ^
		t[4][byte(x4>>56)] ^
		t[5][byte(x5>>56)] ^
		t[6][byte(x6>>56)] ^
		t[7][byte(x7>>56)]
	return r
}

// compress is g_N(h, m) = E(LPS(h ^ N), m) ^ h ^ m (RFC 6986 §7), where
// E(K, m) = X[K13]·LPSX[K12]···LPSX[K1](m) and K_{i+1} = LPS(K_i ^ C_i).
func compress(h, n, m *block) {
	k := lpsXor(h, n)
	state := lpsXor(m, &k) // first round: LPS(X[K1](m))
	for i := 0; i < len(roundConstants)-1; i++ {
		k = lpsXor(&k, &roundConstants[i])
		state = lpsXor(&state, &k)
	}
	k = lpsXor(&k, &roundConstants[len(roundConstants)-1])
	for i := range state {
		state[i] ^= k[i] ^ h[i] ^ m[i]
	}
	*h = state
}

// add512 sets a = (a + b) mod 2^512.
func add512(a, b *block) {
	var carry uint64
	for i := range a {
		a[i], carry = bits.Add64(a[i], b[i], carry)
	}
}

// addSmall sets a = (a + v) mod 2^512.
func addSmall(a *block, v uint64) {
	for i := range a {
		s := a[i] + v
		if s >= a[i] {
			a[i] = s
			return
		}
		a[i] = s
		v = 1
	}
}

// loadBlock reads 64 bytes as eight little-endian words.
func loadBlock(p []byte) block {
	var m block
	_ = p[63]
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(p[8*i:])
	}
	return m
}
