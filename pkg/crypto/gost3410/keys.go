package gost3410

import (
	"crypto/rand"
	"fmt"
	"io"
)

// PrivateKey is a GOST R 34.10 signing key d ∈ [1, q−1] on a curve.
type PrivateKey struct {
	c   *Curve
	d   []byte // little-endian, exactly c.size bytes
	dM  fe     // d in Montgomery form mod q
	pub *PublicKey
}

// PublicKey is a GOST R 34.10 verification key Q = d·G.
type PublicKey struct {
	c    *Curve
	x, y fe // Montgomery form mod p
	raw  []byte
}

// NewPrivateKey makes a key from d as little-endian bytes, the way NCA's
// PKCS#8 carries it. Shorter encodings are zero-extended; d must be in
// [1, q−1]. It computes the public key at once.
func NewPrivateKey(c *Curve, dLE []byte) (*PrivateKey, error) {
	if len(dLE) == 0 || len(dLE) > c.size {
		return nil, &Error{Op: "private key", Detail: fmt.Sprintf("%d bytes for %s", len(dLE), c.name), Err: ErrInvalidPrivateKey}
	}
	d := make([]byte, c.size)
	copy(d, dLE)
	v := feFromLE(d)
	if c.sc.isZero(&v) == 1 || c.sc.less(&v) == 0 {
		return nil, &Error{Op: "private key", Detail: "not in [1, q-1]", Err: ErrInvalidPrivateKey}
	}
	k := &PrivateKey{c: c, d: d}
	c.sc.toMont(&k.dM, &v)
	q := c.baseMul(d)
	x, y, _ := c.toAffine(&q)
	k.pub = newPublicKeyXY(c, &x, &y)
	return k, nil
}

// GenerateKey makes a fresh key with d uniform in [1, q−1] drawn from rnd
// (crypto/rand when nil).
func GenerateKey(c *Curve, rnd io.Reader) (*PrivateKey, error) {
	d, err := c.randomScalar(rnd)
	if err != nil {
		return nil, err
	}
	return NewPrivateKey(c, d)
}

// Curve returns the key's curve.
func (k *PrivateKey) Curve() *Curve { return k.c }

// Public returns the matching public key.
func (k *PrivateKey) Public() *PublicKey { return k.pub }

// Bytes returns a copy of d, little-endian, Curve().Size() bytes.
func (k *PrivateKey) Bytes() []byte { return append([]byte(nil), k.d...) }

// NewPublicKey parses a raw public key x_LE ‖ y_LE (the content of NCA's
// SubjectPublicKeyInfo OCTET STRING) and checks that it is a point of the
// curve and, on curves with a cofactor, of the prime-order subgroup.
func NewPublicKey(c *Curve, rawLE []byte) (*PublicKey, error) {
	if len(rawLE) != 2*c.size {
		return nil, &Error{Op: "public key", Detail: fmt.Sprintf("%d bytes for %s, want %d", len(rawLE), c.name, 2*c.size), Err: ErrInvalidPublicKey}
	}
	x := feFromLE(rawLE[:c.size])
	y := feFromLE(rawLE[c.size:])
	if c.f.less(&x) == 0 || c.f.less(&y) == 0 {
		return nil, &Error{Op: "public key", Detail: "coordinate not below p", Err: ErrInvalidPublicKey}
	}
	var xm, ym fe
	c.f.toMont(&xm, &x)
	c.f.toMont(&ym, &y)
	if !c.onCurve(&xm, &ym) {
		return nil, &Error{Op: "public key", Detail: "point not on " + c.name, Err: ErrInvalidPublicKey}
	}
	if c.cofactor != 1 {
		qb := make([]byte, c.size)
		qv := feFromBig(c.q)
		qv.putLE(qb)
		p := point{x: xm, y: ym, z: c.f.one}
		if r := c.scalarMulVartime(&p, qb); c.f.isZero(&r.z) != 1 {
			return nil, &Error{Op: "public key", Detail: "point not in the prime-order subgroup", Err: ErrInvalidPublicKey}
		}
	}
	return newPublicKeyXY(c, &xm, &ym), nil
}

func newPublicKeyXY(c *Curve, x, y *fe) *PublicKey {
	pk := &PublicKey{c: c, x: *x, y: *y, raw: make([]byte, 2*c.size)}
	var v fe
	c.f.fromMont(&v, x)
	v.putLE(pk.raw[:c.size])
	c.f.fromMont(&v, y)
	v.putLE(pk.raw[c.size:])
	return pk
}

// Curve returns the key's curve.
func (pk *PublicKey) Curve() *Curve { return pk.c }

// Raw returns a copy of x_LE ‖ y_LE.
func (pk *PublicKey) Raw() []byte { return append([]byte(nil), pk.raw...) }

// Equal reports whether two public keys are the same point on the same curve.
func (pk *PublicKey) Equal(other *PublicKey) bool {
	if other == nil || pk.c != other.c || len(pk.raw) != len(other.raw) {
		return false
	}
	for i := range pk.raw {
		if pk.raw[i] != other.raw[i] {
			return false
		}
	}
	return true
}

// randomScalar draws k uniform in [1, q−1] as size little-endian bytes by
// rejection sampling (at most half of the draws are rejected).
func (c *Curve) randomScalar(rnd io.Reader) ([]byte, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	k := make([]byte, c.size)
	top := c.qBits % 8
	for range 128 {
		if _, err := io.ReadFull(rnd, k); err != nil {
			return nil, &Error{Op: "random scalar", Err: fmt.Errorf("%w: %w", ErrRandom, err)}
		}
		if top != 0 {
			k[(c.qBits-1)/8] &= byte(1<<top - 1)
		}
		for i := (c.qBits + 7) / 8; i < c.size; i++ {
			k[i] = 0
		}
		v := feFromLE(k)
		if c.sc.isZero(&v) == 0 && c.sc.less(&v) == 1 {
			return k, nil
		}
	}
	return nil, &Error{Op: "random scalar", Detail: "no value below q in 128 draws", Err: ErrRandom}
}
