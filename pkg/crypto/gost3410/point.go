package gost3410

// point is a curve point in homogeneous projective coordinates (X:Y:Z),
// x = X/Z, y = Y/Z, all in Montgomery form; the identity is (0:1:0).
//
// The formulas are the complete ones of Renes, Costello and Batina
// ("Complete addition formulas for prime order elliptic curves", 2015,
// algorithms 1–3, general a). They have no special cases for doubling,
// inverse points or the identity, so the constant-time scalar
// multiplication needs no branches. For curves with a cofactor (tc26-256-A
// has 4) they remain exception-free for points of the prime-order subgroup,
// which are the only ones the package combines.
type point struct {
	x, y, z fe
}

// affine is a point with Z = 1 (never the identity).
type affine struct {
	x, y fe
}

// identity returns (0:1:0).
func (c *Curve) identity() point {
	return point{y: c.f.one}
}

// mulA sets z = a·x; a = −3 costs two additions and a negation instead of a
// multiplication.
func (c *Curve) mulA(z, x *fe) {
	f := c.f
	if c.aMinus3 {
		var t fe
		f.add(&t, x, x)
		f.add(&t, &t, x)
		f.neg(z, &t)
		return
	}
	f.mul(z, x, &c.a)
}

// add sets r = p + q (RCB algorithm 1). r may alias p or q.
func (c *Curve) add(r, p, q *point) {
	f := c.f
	var t0, t1, t2, t3, t4, t5, x3 fe
	f.mul(&t0, &p.x, &q.x)
	f.mul(&t1, &p.y, &q.y)
	f.mul(&t2, &p.z, &q.z)
	f.add(&t3, &p.x, &p.y)
	f.add(&t4, &q.x, &q.y)
	f.mul(&t3, &t3, &t4)
	f.add(&t4, &t0, &t1)
	f.sub(&t3, &t3, &t4)
	f.add(&t4, &p.x, &p.z)
	f.add(&t5, &q.x, &q.z)
	f.mul(&t4, &t4, &t5)
	f.add(&t5, &t0, &t2)
	f.sub(&t4, &t4, &t5)
	f.add(&t5, &p.y, &p.z)
	f.add(&x3, &q.y, &q.z)
	f.mul(&t5, &t5, &x3)
	f.add(&x3, &t1, &t2)
	f.sub(&t5, &t5, &x3)
	c.finishAdd(r, &t0, &t1, &t2, &t3, &t4, &t5)
}

// addMixed sets r = p + q for an affine q (RCB algorithm 2). r may alias p.
func (c *Curve) addMixed(r, p *point, q *affine) {
	f := c.f
	var t0, t1, t2, t3, t4, t5 fe
	f.mul(&t0, &p.x, &q.x)
	f.mul(&t1, &p.y, &q.y)
	f.add(&t3, &q.x, &q.y)
	f.add(&t4, &p.x, &p.y)
	f.mul(&t3, &t3, &t4)
	f.add(&t4, &t0, &t1)
	f.sub(&t3, &t3, &t4)
	f.mul(&t4, &q.x, &p.z)
	f.add(&t4, &t4, &p.x)
	f.mul(&t5, &q.y, &p.z)
	f.add(&t5, &t5, &p.y)
	t2 = p.z
	c.finishAdd(r, &t0, &t1, &t2, &t3, &t4, &t5)
}

// finishAdd is the common tail of the addition formulas, given
// t0 = X1X2, t1 = Y1Y2, t2 = Z1Z2, t3 = X1Y2+X2Y1, t4 = X1Z2+X2Z1,
// t5 = Y1Z2+Y2Z1. It clobbers its arguments.
func (c *Curve) finishAdd(r *point, t0, t1, t2, t3, t4, t5 *fe) {
	f := c.f
	var x3, y3, z3 fe
	c.mulA(&z3, t4)
	f.mul(&x3, &c.b3, t2)
	f.add(&z3, &x3, &z3)
	f.sub(&x3, t1, &z3)
	f.add(&z3, t1, &z3)
	f.mul(&y3, &x3, &z3)
	f.add(t1, t0, t0)
	f.add(t1, t1, t0)
	c.mulA(t2, t2)
	f.mul(t4, &c.b3, t4)
	f.add(t1, t1, t2)
	f.sub(t2, t0, t2)
	c.mulA(t2, t2)
	f.add(t4, t4, t2)
	f.mul(t0, t1, t4)
	f.add(&y3, &y3, t0)
	f.mul(t0, t5, t4)
	f.mul(&x3, t3, &x3)
	f.sub(&x3, &x3, t0)
	f.mul(t0, t3, t1)
	f.mul(&z3, t5, &z3)
	f.add(&z3, &z3, t0)
	r.x, r.y, r.z = x3, y3, z3
}

// double sets r = 2p (RCB algorithm 3). r may alias p.
func (c *Curve) double(r, p *point) {
	f := c.f
	var t0, t1, t2, t3, x3, y3, z3 fe
	f.sqr(&t0, &p.x)
	f.sqr(&t1, &p.y)
	f.sqr(&t2, &p.z)
	f.mul(&t3, &p.x, &p.y)
	f.add(&t3, &t3, &t3)
	f.mul(&z3, &p.x, &p.z)
	f.add(&z3, &z3, &z3)
	c.mulA(&x3, &z3)
	f.mul(&y3, &c.b3, &t2)
	f.add(&y3, &x3, &y3)
	f.sub(&x3, &t1, &y3)
	f.add(&y3, &t1, &y3)
	f.mul(&y3, &x3, &y3)
	f.mul(&x3, &t3, &x3)
	f.mul(&z3, &c.b3, &z3)
	c.mulA(&t2, &t2)
	f.sub(&t3, &t0, &t2)
	c.mulA(&t3, &t3)
	f.add(&t3, &t3, &z3)
	f.add(&z3, &t0, &t0)
	f.add(&t0, &z3, &t0)
	f.add(&t0, &t0, &t2)
	f.mul(&t0, &t0, &t3)
	f.add(&y3, &y3, &t0)
	f.mul(&t2, &p.y, &p.z)
	f.add(&t2, &t2, &t2)
	f.mul(&t0, &t2, &t3)
	f.sub(&x3, &x3, &t0)
	f.mul(&z3, &t2, &t1)
	f.add(&z3, &z3, &z3)
	f.add(&z3, &z3, &z3)
	r.x, r.y, r.z = x3, y3, z3
}

// cmovPoint sets r = p when cond == 1, without branching.
func cmovPoint(r, p *point, cond uint64) {
	cmov(&r.x, &p.x, cond)
	cmov(&r.y, &p.y, cond)
	cmov(&r.z, &p.z, cond)
}

// toAffine returns x = X/Z and y = Y/Z (Montgomery form) and ok = 0 for the
// identity. The inversion is Fermat's, so it takes the same time for every Z.
func (c *Curve) toAffine(p *point) (x, y fe, ok uint64) {
	var zi fe
	c.f.inv(&zi, &p.z)
	c.f.mul(&x, &p.x, &zi)
	c.f.mul(&y, &p.y, &zi)
	return x, y, 1 ^ c.f.isZero(&p.z)
}

// onCurve reports whether the affine (x, y) in Montgomery form satisfies
// y² = x³ + ax + b.
func (c *Curve) onCurve(x, y *fe) bool {
	f := c.f
	var l, r, t fe
	f.sqr(&l, y)
	f.sqr(&r, x)
	f.mul(&r, &r, x)
	c.mulA(&t, x)
	f.add(&r, &r, &t)
	f.add(&r, &r, &c.b)
	return f.equal(&l, &r) == 1
}
