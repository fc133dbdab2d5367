package gost3410

import (
	"fmt"
	"math/big"
)

// Sizes of the verification tables. G's table has verifyTeeth teeth of
// 2^(gWindow−2) points (64 KB on the 512-bit curve); a cached public key's
// has verifyTeeth teeth of 2^(keyWindow−2) points (16 KB on the 512-bit
// curve, built for about two signatures' worth of work); a key seen for the
// first time gets a one-tooth table of 2^(coldWindow−2) points per
// verification.
const (
	verifyTeeth = 8
	gWindow     = 8
	keyWindow   = 6
	coldWindow  = 5
	// KeyCacheSize is how many public keys each curve remembers for
	// verification, least recently used first out: at most 4 MB of tables
	// on the 512-bit curve.
	KeyCacheSize = 256
)

// Verify reports whether sig (r_LE ‖ s_LE) is a valid signature of digest.
func (pk *PublicKey) Verify(digest, sig []byte) bool {
	return pk.VerifyErr(digest, sig) == nil
}

// VerifyErr checks sig (r_LE ‖ s_LE) over digest and says why it fails:
// ErrMalformedSignature for a wrong length or r, s outside [1, q−1],
// ErrVerification when the equation does not hold. It runs in variable
// time; everything it handles is public. The second and later
// verifications with the same key (by value, not by *PublicKey) use that
// key's cached table; see KeyCacheSize.
func (pk *PublicKey) VerifyErr(digest, sig []byte) error {
	return pk.verify(digest, sig, true)
}

// verify checks that x(z1·G + z2·Q) ≡ r (mod q) with z1 = s/e, z2 = −r/e.
// useCache false skips the key cache: the cost of a key seen once.
func (pk *PublicKey) verify(digest, sig []byte, useCache bool) error {
	c := pk.c
	if len(sig) != 2*c.size {
		return &Error{Op: "verify", Detail: fmt.Sprintf("%d bytes for %s, want %d", len(sig), c.name, 2*c.size), Err: ErrMalformedSignature}
	}
	r := scalarBig(sig[:c.size])
	s := scalarBig(sig[c.size:])
	if r.Sign() == 0 || r.Cmp(c.q) >= 0 || s.Sign() == 0 || s.Cmp(c.q) >= 0 {
		return &Error{Op: "verify", Detail: "r or s not in [1, q-1]", Err: ErrMalformedSignature}
	}
	// Scalar arithmetic mod q on public values: math/big's extended Euclid
	// inverts in microseconds where the constant-time Fermat inversion takes
	// a quarter of a signature.
	e := scalarBig(digest)
	e.Mod(e, c.q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	v := new(big.Int).ModInverse(e, c.q)
	z1 := new(big.Int).Mul(s, v)
	z1.Mod(z1, c.q)
	z2 := new(big.Int).Mul(r, v)
	z2.Sub(c.q, z2.Mod(z2, c.q))
	k1 := make([]byte, c.size)
	k2 := make([]byte, c.size)
	putScalarLE(k1, z1)
	putScalarLE(k2, z2)
	R := c.verifyMul(pk, k1, k2, useCache)
	if c.jIsInf(&R) || !c.xMatches(&R, r) {
		return &Error{Op: "verify", Err: ErrVerification}
	}
	return nil
}

// verifyMul returns k1·G + k2·Q in one chain of doublings: span doublings
// with Q's cached table, the full scalar length without.
func (c *Curve) verifyMul(pk *PublicKey, k1, k2 []byte, useCache bool) jpoint {
	g := c.gTable()
	q := affine{x: pk.x, y: pk.y}
	if useCache {
		tab, build := c.keys.lookup(pk.raw)
		if build {
			tab = c.newOddTable(&q, keyWindow, 8*c.size/verifyTeeth, verifyTeeth)
			c.keys.store(pk.raw, tab)
		}
		if tab != nil {
			return c.jointMulVartime(mulTerm{g, k1}, mulTerm{tab, k2})
		}
	}
	bits := 8 * c.size
	tab := c.newOddTable(&q, coldWindow, bits, 1)
	return c.jointMulVartime(mulTerm{g.firstTooth(bits), k1}, mulTerm{tab, k2})
}

// xMatches reports whether the affine x of the Jacobian p (not the
// identity) is ≡ r (mod q), without an inversion: x ∈ [0, p) is r or,
// when r + q < p, r + q, and x = X/Z² means X = x·Z².
func (c *Curve) xMatches(p *jpoint, r *big.Int) bool {
	f := c.f
	var zz, t fe
	f.sqr(&zz, &p.z)
	for cand := new(big.Int).Set(r); cand.Cmp(c.p) < 0; cand.Add(cand, c.q) {
		rm := f.montBig(cand)
		f.mul(&t, &rm, &zz)
		if f.equal(&t, &p.x) == 1 {
			return true
		}
	}
	return false
}

// putScalarLE writes the non-negative x < 2^(8·len(b)) little-endian.
func putScalarLE(b []byte, x *big.Int) {
	x.FillBytes(b)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

// scalarBig reads a little-endian scalar.
func scalarBig(k []byte) *big.Int {
	be := make([]byte, len(k))
	for i, b := range k {
		be[len(k)-1-i] = b
	}
	return new(big.Int).SetBytes(be)
}
