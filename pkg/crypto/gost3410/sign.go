package gost3410

import (
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
