package gost341194

import (
	"encoding/binary"
	"math/bits"
)

// testSBox is the S-box set of id-GostR3411-94-TestParamSet (RFC 5831
// §7.3.1); testSBox[0] (K1) substitutes the least significant nibble.
var testSBox = [8][16]byte{
	{4, 10, 9, 2, 13, 8, 0, 14, 6, 11, 1, 12, 7, 15, 5, 3},
	{14, 11, 4, 12, 6, 13, 15, 10, 2, 3, 8, 1, 0, 7, 5, 9},
	{5, 8, 1, 13, 10, 3, 4, 2, 14, 15, 12, 7, 6, 0, 9, 11},
	{7, 13, 10, 1, 0, 8, 9, 15, 14, 4, 6, 12, 11, 2, 5, 3},
	{6, 12, 7, 1, 5, 15, 13, 8, 4, 10, 9, 14, 0, 3, 11, 2},
	{4, 11, 10, 0, 7, 2, 1, 13, 3, 6, 8, 5, 9, 12, 15, 14},
	{13, 11, 4, 1, 3, 15, 5, 9, 0, 10, 14, 7, 6, 8, 2, 12},
	{1, 15, 13, 0, 5, 7, 10, 4, 9, 2, 3, 14, 6, 11, 8, 12},
}

// roundTable fuses the S-boxes with the 11-bit rotation of the GOST 28147-89
// round function: f(x) = XOR over j of roundTable[j][byte j of x].
var roundTable = buildRoundTable()

func buildRoundTable() *[4][256]uint32 {
	var t [4][256]uint32
	for j := 0; j < 4; j++ {
		for b := 0; b < 256; b++ {
			v := uint32(testSBox[2*j][b&15]) | uint32(testSBox[2*j+1][b>>4])<<4
			t[j][b] = bits.RotateLeft32(v<<(8*j), 11)
		}
	}
	return &t
}

func roundF(x uint32) uint32 {
	t := roundTable
	return t[0][byte(x)] ^ t[1][byte(x>>8)] ^ t[2][byte(x>>16)] ^ t[3][byte(x>>24)]
}

// encryptBlock encrypts one 64-bit block (bytes in little-endian order) with
// GOST 28147-89 in simple substitution mode under the 256-bit key.
func encryptBlock(key *[32]byte, in []byte, out []byte) {
	var k [8]uint32
	for i := range k {
		k[i] = binary.LittleEndian.Uint32(key[4*i:])
	}
	n1 := binary.LittleEndian.Uint32(in[0:])
	n2 := binary.LittleEndian.Uint32(in[4:])
	// Rounds 1-24 use K1..K8 three times, rounds 25-32 use K8..K1; each
	// pair of statements is two rounds with the swap folded away.
	for r := 0; r < 3; r++ {
		for i := 0; i < 8; i += 2 {
			n2 ^= roundF(n1 + k[i])
			n1 ^= roundF(n2 + k[i+1])
		}
	}
	for i := 7; i > 0; i -= 2 {
		n2 ^= roundF(n1 + k[i])
		n1 ^= roundF(n2 + k[i-1])
	}
	binary.LittleEndian.PutUint32(out[0:], n2)
	binary.LittleEndian.PutUint32(out[4:], n1)
}
