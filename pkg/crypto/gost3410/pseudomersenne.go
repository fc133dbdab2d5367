package gost3410

import "math/bits"

// pmul8 sets z = x·y mod m for m = 2^(64·8) − c, c < 2³²: schoolbook
// product, then two folds using 2^(64·8) ≡ c. About half the word
// multiplications of mont8. z may alias x or y; no data-dependent branches.
func pmul8(z, x, y *fe, c uint64) {
	var t [2 * 8]uint64
	for i := 0; i < 8; i++ {
		yi := y[i]
		var carry, hi, lo, cc uint64
		for j := 0; j < 8; j++ {
			hi, lo = bits.Mul64(x[j], yi)
			lo, cc = bits.Add64(lo, t[i+j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, carry, 0)
			hi += cc
			t[i+j] = lo
			carry = hi
		}
		t[i+8] = carry
	}
	pfold8(z, &t, c)
}

// pmul4 sets z = x·y mod m for m = 2^(64·4) − c, c < 2³²: schoolbook
// product, then two folds using 2^(64·4) ≡ c. About half the word
// multiplications of mont4. z may alias x or y; no data-dependent branches.
func pmul4(z, x, y *fe, c uint64) {
	var t [2 * 4]uint64
	for i := 0; i < 4; i++ {
		yi := y[i]
		var carry, hi, lo, cc uint64
		for j := 0; j < 4; j++ {
			hi, lo = bits.Mul64(x[j], yi)
			lo, cc = bits.Add64(lo, t[i+j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, carry, 0)
			hi += cc
			t[i+j] = lo
			carry = hi
		}
		t[i+4] = carry
	}
	pfold4(z, &t, c)
}

// pfold8 sets z = t mod m for a double-width t and m = 2^(64·8) − c: two
// folds using 2^(64·8) ≡ c and a masked final subtraction.
func pfold8(z *fe, t *[2 * 8]uint64, c uint64) {
	var r [8]uint64
	var carry, hi, lo, cc uint64
	for j := 0; j < 8; j++ {
		hi, lo = bits.Mul64(t[8+j], c)
		lo, cc = bits.Add64(lo, t[j], 0)
		hi += cc
		lo, cc = bits.Add64(lo, carry, 0)
		hi += cc
		r[j] = lo
		carry = hi
	}
	// carry ≤ c: fold it once more; a carry out of that wraps to +c again,
	// after which r is tiny and cannot carry.
	r[0], cc = bits.Add64(r[0], carry*c, 0)
	for j := 1; j < 8; j++ {
		r[j], cc = bits.Add64(r[j], 0, cc)
	}
	r[0], cc = bits.Add64(r[0], c&-cc, 0)
	for j := 1; j < 8; j++ {
		r[j], cc = bits.Add64(r[j], 0, cc)
	}
	// r < 2^(64·8) < 2m: subtract m once if r ≥ m, i.e. if r + c carries.
	var u [8]uint64
	u[0], cc = bits.Add64(r[0], c, 0)
	for j := 1; j < 8; j++ {
		u[j], cc = bits.Add64(r[j], 0, cc)
	}
	mask := -cc
	for j := 0; j < 8; j++ {
		z[j] = u[j]&mask | r[j]&^mask
	}
}

// psqr8 sets z = x² mod m for m = 2^(64·8) − c, c < 2³²: each cross product
// once, doubled, plus the squares on the diagonal (36 word
// multiplications instead of 64), then the folds of pmul8. z may alias x;
// no data-dependent branches.
func psqr8(z, x *fe, c uint64) {
	var t [2 * 8]uint64
	for i := 0; i < 8-1; i++ {
		xi := x[i]
		var carry, hi, lo, cc uint64
		for j := i + 1; j < 8; j++ {
			hi, lo = bits.Mul64(x[j], xi)
			lo, cc = bits.Add64(lo, t[i+j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, carry, 0)
			hi += cc
			t[i+j] = lo
			carry = hi
		}
		t[i+8] = carry
	}
	t[2*8-1] = t[2*8-2] >> 63
	for i := 2*8 - 2; i > 0; i-- {
		t[i] = t[i]<<1 | t[i-1]>>63
	}
	t[0] <<= 1
	var cc uint64
	for i := 0; i < 8; i++ {
		hi, lo := bits.Mul64(x[i], x[i])
		t[2*i], cc = bits.Add64(t[2*i], lo, cc)
		t[2*i+1], cc = bits.Add64(t[2*i+1], hi, cc)
	}
	pfold8(z, &t, c)
}

// pfold4 sets z = t mod m for a double-width t and m = 2^(64·4) − c: two
// folds using 2^(64·4) ≡ c and a masked final subtraction.
func pfold4(z *fe, t *[2 * 4]uint64, c uint64) {
	var r [4]uint64
	var carry, hi, lo, cc uint64
	for j := 0; j < 4; j++ {
		hi, lo = bits.Mul64(t[4+j], c)
		lo, cc = bits.Add64(lo, t[j], 0)
		hi += cc
		lo, cc = bits.Add64(lo, carry, 0)
		hi += cc
		r[j] = lo
		carry = hi
	}
	// carry ≤ c: fold it once more; a carry out of that wraps to +c again,
	// after which r is tiny and cannot carry.
	r[0], cc = bits.Add64(r[0], carry*c, 0)
	for j := 1; j < 4; j++ {
		r[j], cc = bits.Add64(r[j], 0, cc)
	}
	r[0], cc = bits.Add64(r[0], c&-cc, 0)
	for j := 1; j < 4; j++ {
		r[j], cc = bits.Add64(r[j], 0, cc)
	}
	// r < 2^(64·4) < 2m: subtract m once if r ≥ m, i.e. if r + c carries.
	var u [4]uint64
	u[0], cc = bits.Add64(r[0], c, 0)
	for j := 1; j < 4; j++ {
		u[j], cc = bits.Add64(r[j], 0, cc)
	}
	mask := -cc
	for j := 0; j < 4; j++ {
		z[j] = u[j]&mask | r[j]&^mask
	}
}

// psqr4 sets z = x² mod m for m = 2^(64·4) − c, c < 2³²: each cross product
// once, doubled, plus the squares on the diagonal (10 word
// multiplications instead of 16), then the folds of pmul4. z may alias x;
// no data-dependent branches.
func psqr4(z, x *fe, c uint64) {
	var t [2 * 4]uint64
	for i := 0; i < 4-1; i++ {
		xi := x[i]
		var carry, hi, lo, cc uint64
		for j := i + 1; j < 4; j++ {
			hi, lo = bits.Mul64(x[j], xi)
			lo, cc = bits.Add64(lo, t[i+j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, carry, 0)
			hi += cc
			t[i+j] = lo
			carry = hi
		}
		t[i+4] = carry
	}
	t[2*4-1] = t[2*4-2] >> 63
	for i := 2*4 - 2; i > 0; i-- {
		t[i] = t[i]<<1 | t[i-1]>>63
	}
	t[0] <<= 1
	var cc uint64
	for i := 0; i < 4; i++ {
		hi, lo := bits.Mul64(x[i], x[i])
		t[2*i], cc = bits.Add64(t[2*i], lo, cc)
		t[2*i+1], cc = bits.Add64(t[2*i+1], hi, cc)
	}
	pfold4(z, &t, c)
}
