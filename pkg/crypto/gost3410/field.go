package gost3410

import (
	"math/big"
	"math/bits"
)

// maxLimbs is the widest modulus the package handles: 512 bits.
const maxLimbs = 8

// fe is an element of a prime field (or of Z/qZ) as little-endian 64-bit
// limbs. Only the first field.n limbs are used; the rest stay zero. A fixed
// array instead of a slice keeps elements on the stack and off the heap.
type fe [maxLimbs]uint64

// field is Montgomery arithmetic modulo an odd m < 2^(64n). Elements are
// kept in Montgomery form x·R mod m, R = 2^(64n), so that a multiplication
// costs one CIOS pass instead of a division. Pseudo-Mersenne moduli
// R − c use plain representation and folding reduction instead (see c). All operations below run in
// time independent of the element values (masks, no data-dependent
// branches); the modulus itself is public.
type field struct {
	n    int      // limbs: 4 or 8
	c    uint64   // m = R − c when c ≠ 0: plain, not Montgomery, representation
	m    fe       // the modulus
	mInv uint64   // −m⁻¹ mod 2⁶⁴
	rr   fe       // R² mod m, to enter Montgomery form
	one  fe       // R mod m, the Montgomery form of 1
	mm2  fe       // m − 2, the Fermat inversion exponent
	mod  *big.Int // m, for conversions off the hot path
}

// newField prepares Montgomery arithmetic modulo the odd m of n limbs.
func newField(m *big.Int, n int) *field {
	f := &field{n: n, mod: new(big.Int).Set(m)}
	f.m = feFromBig(m)
	// Newton iteration for m⁻¹ mod 2⁶⁴: each step doubles the correct bits.
	inv := f.m[0]
	for i := 0; i < 6; i++ {
		inv *= 2 - f.m[0]*inv
	}
	f.mInv = -inv
	r := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
	f.one = feFromBig(new(big.Int).Mod(r, m))
	f.rr = feFromBig(new(big.Int).Mod(new(big.Int).Mul(r, r), m))
	if c := new(big.Int).Sub(r, m); c.BitLen() <= 32 {
		// Pseudo-Mersenne prime (tc26-512-A: 2⁵¹²−569, CryptoPro-A:
		// 2²⁵⁶−617): reduce by folding instead. With R := 1 in the
		// "Montgomery" conversions below, every caller stays unchanged.
		f.c = c.Uint64()
		f.one = fe{1}
		f.rr = fe{1}
	}
	f.mm2 = feFromBig(new(big.Int).Sub(m, big.NewInt(2)))
	return f
}

// feFromBig converts a non-negative x < 2^512 to limbs (no reduction).
func feFromBig(x *big.Int) fe {
	var z fe
	var buf [64]byte
	x.FillBytes(buf[:])
	for i := 0; i < maxLimbs; i++ {
		for j := 0; j < 8; j++ {
			z[i] |= uint64(buf[63-8*i-j]) << (8 * j)
		}
	}
	return z
}

// feToBig converts limbs to a big.Int (no Montgomery conversion).
func feToBig(x *fe) *big.Int {
	var buf [64]byte
	for i := 0; i < maxLimbs; i++ {
		for j := 0; j < 8; j++ {
			buf[63-8*i-j] = byte(x[i] >> (8 * j))
		}
	}
	return new(big.Int).SetBytes(buf[:])
}

// feFromLE reads up to 64 little-endian bytes as limbs (no reduction).
func feFromLE(b []byte) fe {
	var z fe
	for i, v := range b {
		z[i/8] |= uint64(v) << (8 * (i % 8))
	}
	return z
}

// putLE writes the low len(b) bytes of x little-endian into b.
func (x *fe) putLE(b []byte) {
	for i := range b {
		b[i] = byte(x[i/8] >> (8 * (i % 8)))
	}
}

// mul sets z = x·y·R⁻¹ mod m. Inputs must be < m, except that one of them may
// be any value < R (the result is still fully reduced) — used to reduce
// arbitrary n-limb values via toMont.
func (f *field) mul(z, x, y *fe) {
	if f.c != 0 {
		if f.n == 8 {
			pmul8(z, x, y, f.c)
		} else {
			pmul4(z, x, y, f.c)
		}
		return
	}
	if f.n == 8 {
		mont8(z, x, y, &f.m, f.mInv)
	} else {
		mont4(z, x, y, &f.m, f.mInv)
	}
}

// sqr sets z = x²·R⁻¹ mod m. The pseudo-Mersenne primes have a dedicated
// squaring (about 45 % fewer word products); Montgomery moduli, off the
// hot paths, square by multiplying.
func (f *field) sqr(z, x *fe) {
	if f.c != 0 {
		if f.n == 8 {
			psqr8(z, x, f.c)
		} else {
			psqr4(z, x, f.c)
		}
		return
	}
	f.mul(z, x, x)
}

// toMont sets z = x·R mod m for any x < R.
func (f *field) toMont(z, x *fe) { f.mul(z, x, &f.rr) }

// fromMont sets z = x·R⁻¹ mod m: the plain value of a Montgomery element.
func (f *field) fromMont(z, x *fe) {
	var one fe
	one[0] = 1
	f.mul(z, x, &one)
}

// add sets z = x + y mod m for x, y < m.
func (f *field) add(z, x, y *fe) {
	var t, u fe
	var c, b uint64
	for i := 0; i < f.n; i++ {
		t[i], c = bits.Add64(x[i], y[i], c)
	}
	for i := 0; i < f.n; i++ {
		u[i], b = bits.Sub64(t[i], f.m[i], b)
	}
	// Keep t only when t < m: the subtraction borrowed and the addition did
	// not carry out.
	keep := -(b &^ c)
	for i := 0; i < f.n; i++ {
		z[i] = t[i]&keep | u[i]&^keep
	}
}

// sub sets z = x − y mod m for x, y < m.
func (f *field) sub(z, x, y *fe) {
	var t fe
	var b, c uint64
	for i := 0; i < f.n; i++ {
		t[i], b = bits.Sub64(x[i], y[i], b)
	}
	mask := -b
	for i := 0; i < f.n; i++ {
		z[i], c = bits.Add64(t[i], f.m[i]&mask, c)
	}
}

// neg sets z = −x mod m.
func (f *field) neg(z, x *fe) {
	var zero fe
	f.sub(z, &zero, x)
}

// inv sets z = x⁻¹ (Montgomery form in and out) by Fermat's little theorem,
// x^(m−2). The exponent is public, so the plain 4-bit window leaks nothing
// about x; 0 maps to 0.
func (f *field) inv(z, x *fe) {
	var tab [16]fe
	tab[0] = f.one
	tab[1] = *x
	for i := 2; i < 16; i++ {
		f.mul(&tab[i], &tab[i-1], x)
	}
	acc := f.one
	for i := 64*f.n/4 - 1; i >= 0; i-- {
		f.sqr(&acc, &acc)
		f.sqr(&acc, &acc)
		f.sqr(&acc, &acc)
		f.sqr(&acc, &acc)
		d := (f.mm2[i/16] >> (4 * (i % 16))) & 15
		f.mul(&acc, &acc, &tab[d])
	}
	*z = acc
}

// invVartime sets z = x⁻¹ (Montgomery form in and out) with math/big's
// extended Euclid: about thirty times faster than Fermat's exponentiation
// and variable time, so only for public values. 0 maps to 0.
func (f *field) invVartime(z, x *fe) {
	v := f.plainBig(x)
	if v.Sign() == 0 {
		*z = fe{}
		return
	}
	v.ModInverse(v, f.mod)
	*z = f.montBig(v)
}

// isZero returns 1 if x == 0 and 0 otherwise, without branching on x.
func (f *field) isZero(x *fe) uint64 {
	var acc uint64
	for i := 0; i < f.n; i++ {
		acc |= x[i]
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// equal returns 1 if x == y and 0 otherwise, without branching.
func (f *field) equal(x, y *fe) uint64 {
	var acc uint64
	for i := 0; i < f.n; i++ {
		acc |= x[i] ^ y[i]
	}
	return 1 ^ ((acc | -acc) >> 63)
}

// less returns 1 if x < m (as plain integers) and 0 otherwise.
func (f *field) less(x *fe) uint64 {
	var b uint64
	for i := 0; i < f.n; i++ {
		_, b = bits.Sub64(x[i], f.m[i], b)
	}
	return b
}

// cmov sets z = x when cond == 1 and leaves z alone when cond == 0.
func cmov(z, x *fe, cond uint64) {
	mask := -cond
	for i := 0; i < maxLimbs; i++ {
		z[i] ^= (z[i] ^ x[i]) & mask
	}
}

// montBig converts a big.Int in [0, m) to Montgomery form.
func (f *field) montBig(x *big.Int) fe {
	v := feFromBig(x)
	var z fe
	f.toMont(&z, &v)
	return z
}

// plainBig returns the plain value of a Montgomery element.
func (f *field) plainBig(x *fe) *big.Int {
	var v fe
	f.fromMont(&v, x)
	return feToBig(&v)
}
