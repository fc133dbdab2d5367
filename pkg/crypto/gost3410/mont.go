package gost3410

import "math/bits"

// mont8 sets z = x·y·2^(−64·8) mod m for 8-limb m (CIOS Montgomery
// multiplication). z may alias x or y: it is written only at the end. The
// final subtraction is masked, not branched.
func mont8(z, x, y, m *fe, mInv uint64) {
	var t [8 + 2]uint64
	for i := 0; i < 8; i++ {
		yi := y[i]
		var c, hi, lo, cc uint64
		for j := 0; j < 8; j++ {
			hi, lo = bits.Mul64(x[j], yi)
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j] = lo
			c = hi
		}
		t[8], cc = bits.Add64(t[8], c, 0)
		t[8+1] = cc
		q := t[0] * mInv
		hi, lo = bits.Mul64(q, m[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < 8; j++ {
			hi, lo = bits.Mul64(q, m[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1] = lo
			c = hi
		}
		t[8-1], cc = bits.Add64(t[8], c, 0)
		t[8] = t[8+1] + cc
	}
	var u [8]uint64
	var b uint64
	for j := 0; j < 8; j++ {
		u[j], b = bits.Sub64(t[j], m[j], b)
	}
	// t < m exactly when the subtraction borrowed and there is no carry limb.
	keep := -(b &^ t[8])
	for j := 0; j < 8; j++ {
		z[j] = t[j]&keep | u[j]&^keep
	}
}

// mont4 sets z = x·y·2^(−64·4) mod m for 4-limb m (CIOS Montgomery
// multiplication). z may alias x or y: it is written only at the end. The
// final subtraction is masked, not branched.
func mont4(z, x, y, m *fe, mInv uint64) {
	var t [4 + 2]uint64
	for i := 0; i < 4; i++ {
		yi := y[i]
		var c, hi, lo, cc uint64
		for j := 0; j < 4; j++ {
			hi, lo = bits.Mul64(x[j], yi)
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j] = lo
			c = hi
		}
		t[4], cc = bits.Add64(t[4], c, 0)
		t[4+1] = cc
		q := t[0] * mInv
		hi, lo = bits.Mul64(q, m[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < 4; j++ {
			hi, lo = bits.Mul64(q, m[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1] = lo
			c = hi
		}
		t[4-1], cc = bits.Add64(t[4], c, 0)
		t[4] = t[4+1] + cc
	}
	var u [4]uint64
	var b uint64
	for j := 0; j < 4; j++ {
		u[j], b = bits.Sub64(t[j], m[j], b)
	}
	// t < m exactly when the subtraction borrowed and there is no carry limb.
	keep := -(b &^ t[4])
	for j := 0; j < 4; j++ {
		z[j] = t[j]&keep | u[j]&^keep
	}
}
