package gost3410

import (
	"fmt"
	"io"
	"math/big"
)

// digestScalar returns e = digest read little-endian mod q (1 if that is 0),
// in Montgomery form mod q. The digest is public, so big.Int is fine here.
func (c *Curve) digestScalar(digest []byte) fe {
	be := make([]byte, len(digest))
	for i, b := range digest {
		be[len(digest)-1-i] = b
	}
	e := new(big.Int).SetBytes(be)
	e.Mod(e, c.q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	return c.sc.montBig(e)
}

// Sign signs a digest the caller computed (Streebog for GOST 2015 keys,
// GOST 34.311-95 for 34.310-2004 keys) and returns r_LE ‖ s_LE, each
// Curve().Size() bytes, NCA's layout. rnd supplies the per-signature secret
// k; nil means crypto/rand.
func (k *PrivateKey) Sign(rnd io.Reader, digest []byte) ([]byte, error) {
	c := k.c
	e := c.digestScalar(digest)
	for range 16 {
		nonce, err := c.randomScalar(rnd)
		if err != nil {
			return nil, err
		}
		if sig, ok := c.signWithK(&k.dM, &e, nonce); ok {
			return sig, nil
		}
	}
	return nil, &Error{Op: "sign", Detail: "r or s was zero 16 times", Err: ErrRandom}
}

// signWithK computes the signature for nonce k (little-endian, size bytes,
// in [1, q−1]); ok is false in the negligible case r = 0 or s = 0.
func (c *Curve) signWithK(dM, eM *fe, k []byte) (sig []byte, ok bool) {
	sc := c.sc
	C := c.baseMul(k)
	x, _, _ := c.toAffine(&C)
	var xp, rM, r, kp, kM, t, sM, s fe
	c.f.fromMont(&xp, &x)
	sc.toMont(&rM, &xp) // x < p < R, so this also reduces x mod q
	sc.fromMont(&r, &rM)
	kp = feFromLE(k)
	sc.toMont(&kM, &kp)
	sc.mul(&sM, &rM, dM)
	sc.mul(&t, &kM, eM)
	sc.add(&sM, &sM, &t)
	sc.fromMont(&s, &sM)
	if sc.isZero(&r)|sc.isZero(&s) != 0 {
		return nil, false
	}
	sig = make([]byte, 2*c.size)
	r.putLE(sig[:c.size])
	s.putLE(sig[c.size:])
	return sig, true
}

// Verify reports whether sig (r_LE ‖ s_LE) is a valid signature of digest.
func (pk *PublicKey) Verify(digest, sig []byte) bool {
	return pk.VerifyErr(digest, sig) == nil
}

// VerifyErr checks sig (r_LE ‖ s_LE) over digest and says why it fails:
// ErrMalformedSignature for a wrong length or r, s outside [1, q−1],
// ErrVerification when the equation does not hold. It runs in variable
// time; everything it handles is public.
func (pk *PublicKey) VerifyErr(digest, sig []byte) error {
	c := pk.c
	sc := c.sc
	if len(sig) != 2*c.size {
		return &Error{Op: "verify", Detail: fmt.Sprintf("%d bytes for %s, want %d", len(sig), c.name, 2*c.size), Err: ErrMalformedSignature}
	}
	r := feFromLE(sig[:c.size])
	s := feFromLE(sig[c.size:])
	if sc.isZero(&r) == 1 || sc.less(&r) == 0 || sc.isZero(&s) == 1 || sc.less(&s) == 0 {
		return &Error{Op: "verify", Detail: "r or s not in [1, q-1]", Err: ErrMalformedSignature}
	}
	e := c.digestScalar(digest)
	var v, rM, sM, z1, z2 fe
	sc.inv(&v, &e)
	sc.toMont(&rM, &r)
	sc.toMont(&sM, &s)
	sc.mul(&z1, &sM, &v)
	sc.mul(&z2, &rM, &v)
	sc.neg(&z2, &z2)
	sc.fromMont(&z1, &z1)
	sc.fromMont(&z2, &z2)
	k1 := make([]byte, c.size)
	k2 := make([]byte, c.size)
	z1.putLE(k1)
	z2.putLE(k2)
	C := c.baseMulVartime(k1)
	q := point{x: pk.x, y: pk.y, z: c.f.one}
	Q2 := c.scalarMulVartime(&q, k2)
	c.add(&C, &C, &Q2)
	x, _, ok := c.toAffine(&C)
	if ok == 0 {
		return &Error{Op: "verify", Err: ErrVerification}
	}
	var xp, xq fe
	c.f.fromMont(&xp, &x)
	sc.toMont(&xq, &xp)
	sc.fromMont(&xq, &xq)
	if sc.equal(&xq, &r) != 1 {
		return &Error{Op: "verify", Err: ErrVerification}
	}
	return nil
}
