package gost3410

// jpoint is a curve point in Jacobian coordinates (X:Y:Z), x = X/Z²,
// y = Y/Z³, Montgomery form; Z = 0 is the identity.
//
// Verification alone uses it. Its formulas are the classic incomplete ones
// (a doubling costs 3M+5S for a = −3 against about 11M for the complete
// projective formulas), with branches for the identity, P = Q and P = −Q:
// fine for public inputs, never for secret ones.
type jpoint struct {
	x, y, z fe
}

// jIsInf reports whether p is the identity.
func (c *Curve) jIsInf(p *jpoint) bool { return c.f.isZero(&p.z) == 1 }

// jFromAffine lifts an affine point.
func (c *Curve) jFromAffine(a *affine) jpoint {
	return jpoint{x: a.x, y: a.y, z: c.f.one}
}

// jDouble sets r = 2p. r may alias p. Points of odd order never have y = 0,
// so the identity (Z = 0) is the only special case and it falls out of the
// formulas (Z3 = 2·Y·Z = 0).
func (c *Curve) jDouble(r, p *jpoint) {
	f := c.f
	var m, s, t, yy, zz fe
	f.sqr(&yy, &p.y)
	f.sqr(&zz, &p.z)
	if c.aMinus3 {
		// m = 3(X − Z²)(X + Z²)
		var u, v fe
		f.sub(&u, &p.x, &zz)
		f.add(&v, &p.x, &zz)
		f.mul(&m, &u, &v)
		f.add(&t, &m, &m)
		f.add(&m, &t, &m)
	} else {
		// m = 3X² + a·Z⁴
		var xx fe
		f.sqr(&xx, &p.x)
		f.add(&m, &xx, &xx)
		f.add(&m, &m, &xx)
		f.sqr(&t, &zz)
		f.mul(&t, &t, &c.a)
		f.add(&m, &m, &t)
	}
	// s = 4·X·Y²
	f.mul(&s, &p.x, &yy)
	f.add(&s, &s, &s)
	f.add(&s, &s, &s)
	// Z3 = 2·Y·Z = (Y + Z)² − Y² − Z², a squaring being cheaper than a
	// multiplication on the pseudo-Mersenne primes.
	var z3 fe
	f.add(&z3, &p.y, &p.z)
	f.sqr(&z3, &z3)
	f.sub(&z3, &z3, &yy)
	f.sub(&z3, &z3, &zz)
	// X3 = m² − 2s
	var x3 fe
	f.sqr(&x3, &m)
	f.sub(&x3, &x3, &s)
	f.sub(&x3, &x3, &s)
	// Y3 = m(s − X3) − 8Y⁴
	var y3 fe
	f.sub(&t, &s, &x3)
	f.mul(&y3, &m, &t)
	f.sqr(&t, &yy)
	f.add(&t, &t, &t)
	f.add(&t, &t, &t)
	f.add(&t, &t, &t)
	f.sub(&y3, &y3, &t)
	r.x, r.y, r.z = x3, y3, z3
}

// jAddAffine sets r = p + q for an affine q (never the identity). r may
// alias p. 8M+3S.
func (c *Curve) jAddAffine(r, p *jpoint, q *affine) {
	f := c.f
	if c.jIsInf(p) {
		*r = c.jFromAffine(q)
		return
	}
	var z1z1, u2, s2, h, rr fe
	f.sqr(&z1z1, &p.z)
	f.mul(&u2, &q.x, &z1z1)
	f.mul(&s2, &q.y, &p.z)
	f.mul(&s2, &s2, &z1z1)
	f.sub(&h, &u2, &p.x)
	f.sub(&rr, &s2, &p.y)
	if f.isZero(&h) == 1 {
		if f.isZero(&rr) == 1 {
			c.jDouble(r, p)
			return
		}
		*r = jpoint{}
		return
	}
	c.jFinishAdd(r, &p.x, &p.y, &p.z, &h, &rr)
}

// jAdd sets r = p + q. r may alias p or q. 12M+4S.
func (c *Curve) jAdd(r, p, q *jpoint) {
	f := c.f
	if c.jIsInf(p) {
		*r = *q
		return
	}
	if c.jIsInf(q) {
		*r = *p
		return
	}
	var z1z1, z2z2, u1, u2, s1, s2, h, rr, z fe
	f.sqr(&z1z1, &p.z)
	f.sqr(&z2z2, &q.z)
	f.mul(&u1, &p.x, &z2z2)
	f.mul(&u2, &q.x, &z1z1)
	f.mul(&s1, &p.y, &q.z)
	f.mul(&s1, &s1, &z2z2)
	f.mul(&s2, &q.y, &p.z)
	f.mul(&s2, &s2, &z1z1)
	f.sub(&h, &u2, &u1)
	f.sub(&rr, &s2, &s1)
	if f.isZero(&h) == 1 {
		if f.isZero(&rr) == 1 {
			c.jDouble(r, p)
			return
		}
		*r = jpoint{}
		return
	}
	f.mul(&z, &p.z, &q.z)
	c.jFinishAdd(r, &u1, &s1, &z, &h, &rr)
}

// jFinishAdd is the common tail of the additions: given U1, S1, the product
// of the Z coordinates, H = U2 − U1 ≠ 0 and R = S2 − S1, it sets
// X3 = R² − H³ − 2U1H², Y3 = R(U1H² − X3) − S1H³, Z3 = Z·H.
func (c *Curve) jFinishAdd(r *jpoint, u1, s1, z, h, rr *fe) {
	f := c.f
	var hh, hhh, v, x3, y3, z3, t fe
	f.sqr(&hh, h)
	f.mul(&hhh, h, &hh)
	f.mul(&v, u1, &hh)
	f.sqr(&x3, rr)
	f.sub(&x3, &x3, &hhh)
	f.sub(&x3, &x3, &v)
	f.sub(&x3, &x3, &v)
	f.sub(&t, &v, &x3)
	f.mul(&y3, rr, &t)
	f.mul(&t, s1, &hhh)
	f.sub(&y3, &y3, &t)
	f.mul(&z3, z, h)
	r.x, r.y, r.z = x3, y3, z3
}

// jNormalize converts Jacobian points, none the identity, to affine ones
// with a single inversion (Montgomery's trick). Variable time.
func (c *Curve) jNormalize(dst []affine, src []jpoint) {
	f := c.f
	prefix := make([]fe, len(src))
	acc := f.one
	for i := range src {
		prefix[i] = acc
		f.mul(&acc, &acc, &src[i].z)
	}
	var inv fe
	f.invVartime(&inv, &acc)
	for i := len(src) - 1; i >= 0; i-- {
		var zi, zi2 fe
		f.mul(&zi, &inv, &prefix[i])
		f.mul(&inv, &inv, &src[i].z)
		f.sqr(&zi2, &zi)
		f.mul(&dst[i].x, &src[i].x, &zi2)
		f.mul(&zi2, &zi2, &zi)
		f.mul(&dst[i].y, &src[i].y, &zi2)
	}
}
