package gost3410

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// jToRef converts a Jacobian point to the reference form.
func (c *Curve) jToRef(p *jpoint) refPoint {
	if c.jIsInf(p) {
		return refPoint{inf: true}
	}
	z := c.f.plainBig(&p.z)
	zi := new(big.Int).ModInverse(z, c.p)
	zi2 := new(big.Int).Mul(zi, zi)
	x := new(big.Int).Mul(c.f.plainBig(&p.x), zi2)
	y := new(big.Int).Mul(c.f.plainBig(&p.y), zi2.Mul(zi2, zi))
	return refPoint{x: x.Mod(x, c.p), y: y.Mod(y, c.p)}
}

// refAffine converts a reference point (not the identity) to an affine one.
func (c *Curve) refAffine(p refPoint) affine {
	return affine{x: c.f.montBig(p.x), y: c.f.montBig(p.y)}
}

func randScalar(c *Curve, rng *rand.Rand) *big.Int {
	buf := make([]byte, c.size)
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	k := new(big.Int).SetBytes(buf)
	return k.Mod(k, c.q)
}

// TestWNAF checks that the recoding sums back to the scalar's bits and
// keeps the NAF properties, for every window and span verification uses.
func TestWNAF(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, size := range []int{32, 64} {
		for _, w := range []int{coldWindow, keyWindow, gWindow, 2} {
			for _, span := range []int{8 * size, 8 * size / verifyTeeth} {
				for trial := range 50 {
					k := make([]byte, size)
					for i := range k {
						k[i] = byte(rng.Uint32())
					}
					if trial == 0 {
						for i := range k {
							k[i] = 0xff // every window carries
						}
					}
					kb := scalarBig(k)
					for from := 0; from < 8*size; from += span {
						d := make([]int8, span+1)
						wnaf(d, k, from, span, w)
						sum := new(big.Int)
						last := -w
						for i := span; i >= 0; i-- {
							sum.Lsh(sum, 1).Add(sum, big.NewInt(int64(d[i])))
							if d[i] == 0 {
								continue
							}
							if d[i]%2 == 0 || int(d[i]) >= 1<<(w-1) || int(d[i]) <= -(1<<(w-1)) {
								t.Fatalf("w=%d: digit %d at %d", w, d[i], i)
							}
							if last >= 0 && last-i < w {
								t.Fatalf("w=%d: digits at %d and %d", w, i, last)
							}
							last = i
						}
						want := new(big.Int).Rsh(kb, uint(from))
						want.And(want, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(span)), big.NewInt(1)))
						if sum.Cmp(want) != 0 {
							t.Fatalf("w=%d span=%d from=%d: wNAF sums to %x, want %x", w, span, from, sum, want)
						}
					}
				}
			}
		}
	}
}

// TestJointMulAgainstReference compares k1·G + k2·Q, with G's table and Q's
// cached (many-tooth) and per-verification (one-tooth) tables, with the
// textbook double-and-add, on every curve, for random scalars and points
// and for the edge cases: zero scalars, Q = ±G, sums at the identity.
func TestJointMulAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range allCurves() {
		t.Run(c.Name(), func(t *testing.T) {
			rc := newRef(c)
			G := c.refBase()
			q := c.q
			one := big.NewInt(1)
			qm1 := new(big.Int).Sub(q, one)
			type tc struct {
				k1, k2 *big.Int
				Q      refPoint
			}
			negG := refPoint{x: G.x, y: new(big.Int).Sub(c.p, G.y)}
			k := randScalar(c, rng)
			negK := new(big.Int).Sub(q, k)
			cases := []tc{
				{big.NewInt(0), big.NewInt(0), G},
				{big.NewInt(0), k, G},
				{k, big.NewInt(0), G},
				{one, one, G},    // 2G through a doubling inside an addition
				{one, one, negG}, // G − G
				{k, negK, G},     // kG − kG
				{k, k, negG},     // kG + k(−G)
				{k, k, G},        // 2kG
				{qm1, one, G},    // −G + G
				{qm1, qm1, G},    // −2G
				{big.NewInt(15), big.NewInt(17), G},
			}
			for range 6 {
				d := randScalar(c, rng)
				cases = append(cases, tc{randScalar(c, rng), randScalar(c, rng), rc.mul(G, d)})
			}
			bits := 8 * c.size
			g := c.gTable()
			for i, tc := range cases {
				want := rc.add(rc.mul(G, tc.k1), rc.mul(tc.Q, tc.k2))
				qa := c.refAffine(tc.Q)
				warm := c.newOddTable(&qa, keyWindow, bits/verifyTeeth, verifyTeeth)
				cold := c.newOddTable(&qa, coldWindow, bits, 1)
				k1, k2 := scalarLE(c, tc.k1), scalarLE(c, tc.k2)
				gotWarm := c.jointMulVartime(mulTerm{g, k1}, mulTerm{warm, k2})
				gotCold := c.jointMulVartime(mulTerm{g.firstTooth(bits), k1}, mulTerm{cold, k2})
				if got := c.jToRef(&gotWarm); !samePoint(got, want) {
					t.Errorf("case %d cached table: got %v, want %v", i, got, want)
				}
				if got := c.jToRef(&gotCold); !samePoint(got, want) {
					t.Errorf("case %d one-tooth table: got %v, want %v", i, got, want)
				}
			}
		})
	}
}

// TestJacobianEdgeCases covers the branches of the incomplete formulas.
func TestJacobianEdgeCases(t *testing.T) {
	for _, c := range allCurves() {
		t.Run(c.Name(), func(t *testing.T) {
			rc := newRef(c)
			G := c.refBase()
			ga := affine{x: c.gx, y: c.gy}
			g := c.jFromAffine(&ga)
			neg := g
			c.f.neg(&neg.y, &g.y)
			var inf, r jpoint
			cases := []struct {
				name string
				do   func()
				want refPoint
			}{
				{"2O", func() { c.jDouble(&r, &inf) }, refPoint{inf: true}},
				{"O+Gaff", func() { c.jAddAffine(&r, &inf, &ga) }, G},
				{"G+Gaff", func() { c.jAddAffine(&r, &g, &ga) }, rc.add(G, G)},
				{"-G+Gaff", func() { c.jAddAffine(&r, &neg, &ga) }, refPoint{inf: true}},
				{"O+G", func() { c.jAdd(&r, &inf, &g) }, G},
				{"G+O", func() { c.jAdd(&r, &g, &inf) }, G},
				{"G+G", func() { c.jAdd(&r, &g, &g) }, rc.add(G, G)},
				{"G+(-G)", func() { c.jAdd(&r, &g, &neg) }, refPoint{inf: true}},
				{"2G+G", func() { c.jDouble(&r, &g); c.jAdd(&r, &r, &g) }, rc.mul(G, big.NewInt(3))},
			}
			for _, tc := range cases {
				tc.do()
				if got := c.jToRef(&r); !samePoint(got, tc.want) {
					t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
				}
			}
		})
	}
}

// TestXMatchesAboveQ: on tc26-256-A (cofactor 4) most x-coordinates exceed
// q, so the comparison must try r + j·q, and only those.
func TestXMatchesAboveQ(t *testing.T) {
	c := TC26256A()
	rc := newRef(c)
	rng := rand.New(rand.NewPCG(11, 12))
	above := 0
	for range 20 {
		p := rc.mul(c.refBase(), randScalar(c, rng))
		a := c.refAffine(p)
		j := c.jFromAffine(&a)
		c.jDouble(&j, &j) // a Z that is not 1
		x := c.jToRef(&j).x
		if x.Cmp(c.q) >= 0 {
			above++
		}
		r := new(big.Int).Mod(x, c.q)
		if !c.xMatches(&j, r) {
			t.Fatalf("x = %x does not match r = x mod q", x)
		}
		if c.xMatches(&j, new(big.Int).Add(r, big.NewInt(1))) {
			t.Fatal("x matches r+1")
		}
	}
	if above == 0 {
		t.Fatal("no x above q in 20 points: the test checks nothing")
	}
}

// FuzzJointMul compares the joint multiplication with the reference for
// fuzzed scalars on the 256-bit curves (the 512-bit one shares the code).
func FuzzJointMul(f *testing.F) {
	f.Add([]byte{1}, []byte{2}, []byte{3}, false)
	f.Add([]byte{0xff, 0xff}, []byte{}, []byte{1}, true)
	f.Fuzz(func(t *testing.T, a, b, d []byte, tc26 bool) {
		c := CryptoProA()
		if tc26 {
			c = TC26256A()
		}
		rc := newRef(c)
		mod := func(x []byte) *big.Int {
			return new(big.Int).Mod(new(big.Int).SetBytes(x), c.q)
		}
		k1, k2, dk := mod(a), mod(b), mod(d)
		if dk.Sign() == 0 {
			dk.SetInt64(1)
		}
		Q := rc.mul(c.refBase(), dk)
		want := rc.add(rc.mul(c.refBase(), k1), rc.mul(Q, k2))
		qa := c.refAffine(Q)
		bits := 8 * c.size
		warm := c.newOddTable(&qa, keyWindow, bits/verifyTeeth, verifyTeeth)
		got := c.jointMulVartime(mulTerm{c.gTable(), scalarLE(c, k1)}, mulTerm{warm, scalarLE(c, k2)})
		if g := c.jToRef(&got); !samePoint(g, want) {
			t.Fatalf("k1=%x k2=%x d=%x: got %v, want %v", k1, k2, dk, g, want)
		}
	})
}
