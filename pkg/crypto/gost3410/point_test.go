package gost3410

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// refPoint is an affine point for the math/big reference; inf marks the
// identity.
type refPoint struct {
	x, y *big.Int
	inf  bool
}

// refCurve is a textbook affine implementation, slow and obviously right.
type refCurve struct{ p, a, b *big.Int }

func newRef(c *Curve) *refCurve {
	return &refCurve{p: c.p, a: c.f.plainBig(&c.a), b: c.f.plainBig(&c.b)}
}

func (rc *refCurve) add(p1, p2 refPoint) refPoint {
	if p1.inf {
		return p2
	}
	if p2.inf {
		return p1
	}
	p := rc.p
	var l *big.Int
	if p1.x.Cmp(p2.x) == 0 {
		if new(big.Int).Mod(new(big.Int).Add(p1.y, p2.y), p).Sign() == 0 {
			return refPoint{inf: true}
		}
		num := new(big.Int).Mul(p1.x, p1.x)
		num.Mul(num, big.NewInt(3)).Add(num, rc.a)
		den := new(big.Int).Lsh(p1.y, 1)
		l = num.Mul(num, den.ModInverse(den, p))
	} else {
		num := new(big.Int).Sub(p2.y, p1.y)
		den := new(big.Int).Sub(p2.x, p1.x)
		den.Mod(den, p)
		l = num.Mul(num, den.ModInverse(den, p))
	}
	l.Mod(l, p)
	x3 := new(big.Int).Mul(l, l)
	x3.Sub(x3, p1.x).Sub(x3, p2.x).Mod(x3, p)
	y3 := new(big.Int).Sub(p1.x, x3)
	y3.Mul(y3, l).Sub(y3, p1.y).Mod(y3, p)
	return refPoint{x: x3, y: y3}
}

func (rc *refCurve) mul(p refPoint, k *big.Int) refPoint {
	r := refPoint{inf: true}
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = rc.add(r, r)
		if k.Bit(i) == 1 {
			r = rc.add(r, p)
		}
	}
	return r
}

// toRef converts a projective point to the reference form.
func (c *Curve) toRef(p *point) refPoint {
	x, y, ok := c.toAffine(p)
	if ok == 0 {
		return refPoint{inf: true}
	}
	return refPoint{x: c.f.plainBig(&x), y: c.f.plainBig(&y)}
}

func (c *Curve) refBase() refPoint {
	return refPoint{x: c.f.plainBig(&c.gx), y: c.f.plainBig(&c.gy)}
}

func samePoint(a, b refPoint) bool {
	if a.inf || b.inf {
		return a.inf == b.inf
	}
	return a.x.Cmp(b.x) == 0 && a.y.Cmp(b.y) == 0
}

func scalarLE(c *Curve, k *big.Int) []byte {
	v := feFromBig(k)
	b := make([]byte, c.size)
	v.putLE(b)
	return b
}

func allCurves() []*Curve { return []*Curve{TC26512A(), CryptoProA(), TC26256A()} }

func TestCurveParameters(t *testing.T) {
	tests := []struct {
		c        *Curve
		bits     int
		aMinus3  bool
		cofactor int64
	}{
		{TC26512A(), 512, true, 1},
		{CryptoProA(), 256, true, 1},
		{TC26256A(), 256, false, 4},
	}
	for _, tc := range tests {
		t.Run(tc.c.Name(), func(t *testing.T) {
			c := tc.c
			if c.p.BitLen() != tc.bits || c.Size()*8 != tc.bits || c.PointSize() != 2*c.Size() {
				t.Fatalf("sizes: p has %d bits, Size %d", c.p.BitLen(), c.Size())
			}
			if c.aMinus3 != tc.aMinus3 {
				t.Fatalf("aMinus3 = %v", c.aMinus3)
			}
			if !c.p.ProbablyPrime(20) || !c.q.ProbablyPrime(20) {
				t.Fatal("p or q not prime")
			}
			if !c.onCurve(&c.gx, &c.gy) {
				t.Fatal("G not on curve")
			}
			// Hasse: #E = h·q lies within p + 1 ± 2√p.
			n := new(big.Int).Mul(c.q, big.NewInt(tc.cofactor))
			d := new(big.Int).Sub(n, new(big.Int).Add(c.p, big.NewInt(1)))
			d.Mul(d, d)
			if d.Cmp(new(big.Int).Lsh(c.p, 2)) > 0 {
				t.Fatal("h·q outside the Hasse interval")
			}
			g := point{x: c.gx, y: c.gy, z: c.f.one}
			if r := c.scalarMulVartime(&g, scalarLE(c, c.q)); c.f.isZero(&r.z) != 1 {
				t.Fatal("q·G is not the identity (fast)")
			}
			rc := newRef(c)
			if r := rc.mul(c.refBase(), c.q); !r.inf {
				t.Fatal("q·G is not the identity (reference)")
			}
			qm1 := new(big.Int).Sub(c.q, big.NewInt(1))
			if r := rc.mul(c.refBase(), qm1); r.inf || r.x.Cmp(rc.mul(c.refBase(), big.NewInt(1)).x) != 0 {
				t.Fatal("(q−1)·G is not −G")
			}
		})
	}
}

func TestScalarMulAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range allCurves() {
		t.Run(c.Name(), func(t *testing.T) {
			rc := newRef(c)
			one := big.NewInt(1)
			ks := []*big.Int{
				big.NewInt(1), big.NewInt(2), big.NewInt(15), big.NewInt(16), big.NewInt(17),
				new(big.Int).Sub(c.q, one), new(big.Int).Sub(c.q, big.NewInt(2)),
				new(big.Int).Rsh(c.q, 1),
			}
			buf := make([]byte, c.size)
			for len(ks) < 14 {
				for i := range buf {
					buf[i] = byte(rng.Uint32())
				}
				k := new(big.Int).SetBytes(buf)
				ks = append(ks, k.Mod(k, c.q))
			}
			g := point{x: c.gx, y: c.gy, z: c.f.one}
			for _, k := range ks {
				want := rc.mul(c.refBase(), k)
				kb := scalarLE(c, k)
				p1 := c.baseMul(kb)
				p3 := c.scalarMulVartime(&g, kb)
				for name, p := range map[string]*point{"baseMul": &p1, "scalarMulVartime": &p3} {
					if got := c.toRef(p); !samePoint(got, want) {
						t.Fatalf("%s(%x) = %v, want %v", name, k, got, want)
					}
				}
			}
			// q·G with the constant-time path: the identity through masked
			// selects and complete formulas.
			if p := c.baseMul(scalarLE(c, c.q)); c.f.isZero(&p.z) != 1 {
				t.Fatal("baseMul(q) is not the identity")
			}
		})
	}
}

func TestAddDoubleEdgeCases(t *testing.T) {
	for _, c := range allCurves() {
		t.Run(c.Name(), func(t *testing.T) {
			rc := newRef(c)
			g := point{x: c.gx, y: c.gy, z: c.f.one}
			id := c.identity()
			negG := g
			c.f.neg(&negG.y, &g.y)
			var r point
			cases := []struct {
				name string
				do   func()
				want refPoint
			}{
				{"G+G", func() { c.add(&r, &g, &g) }, rc.add(c.refBase(), c.refBase())},
				{"2G", func() { c.double(&r, &g) }, rc.add(c.refBase(), c.refBase())},
				{"G+O", func() { c.add(&r, &g, &id) }, c.refBase()},
				{"O+O", func() { c.add(&r, &id, &id) }, refPoint{inf: true}},
				{"2O", func() { c.double(&r, &id) }, refPoint{inf: true}},
				{"G+(-G)", func() { c.add(&r, &g, &negG) }, refPoint{inf: true}},
				{"O+Gaff", func() { c.addMixed(&r, &id, &affine{x: c.gx, y: c.gy}) }, c.refBase()},
				{"G+Gaff", func() { c.addMixed(&r, &g, &affine{x: c.gx, y: c.gy}) }, rc.add(c.refBase(), c.refBase())},
				{"-G+Gaff", func() { c.addMixed(&r, &negG, &affine{x: c.gx, y: c.gy}) }, refPoint{inf: true}},
			}
			for _, tc := range cases {
				tc.do()
				if got := c.toRef(&r); !samePoint(got, tc.want) {
					t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
				}
			}
		})
	}
}
