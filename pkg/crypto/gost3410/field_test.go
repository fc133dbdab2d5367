package gost3410

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// testFields returns every modulus the package uses: p and q of each curve.
func testFields(t *testing.T) map[string]*field {
	t.Helper()
	out := map[string]*field{}
	for _, c := range []*Curve{TC26512A(), CryptoProA(), TC26256A()} {
		out[c.Name()+"/p"] = c.f
		out[c.Name()+"/q"] = c.sc
	}
	return out
}

// fieldSamples returns edge values and random values below m.
func fieldSamples(m *big.Int, rng *rand.Rand, n int) []*big.Int {
	one := big.NewInt(1)
	vals := []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2),
		new(big.Int).Sub(m, one),
		new(big.Int).Sub(m, big.NewInt(2)),
		new(big.Int).Rsh(m, 1),
		new(big.Int).Sub(new(big.Int).Lsh(one, uint(m.BitLen()-1)), one),
	}
	buf := make([]byte, (m.BitLen()+7)/8)
	for len(vals) < n {
		for i := range buf {
			buf[i] = byte(rng.Uint32())
		}
		v := new(big.Int).SetBytes(buf)
		vals = append(vals, v.Mod(v, m))
	}
	return vals
}

func TestFieldAgainstBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for name, f := range testFields(t) {
		t.Run(name, func(t *testing.T) {
			m := f.mod
			vals := fieldSamples(m, rng, 40)
			for i, xb := range vals {
				for j, yb := range vals {
					if (i*7+j)%3 != 0 && i > 7 && j > 7 {
						continue // keep the run short; edges are always paired
					}
					x, y := f.montBig(xb), f.montBig(yb)
					var z fe
					check := func(op string, want *big.Int) {
						t.Helper()
						want.Mod(want, m)
						if got := f.plainBig(&z); got.Cmp(want) != 0 {
							t.Fatalf("%s(%x, %x) = %x, want %x", op, xb, yb, got, want)
						}
						if f.less(&z) != 1 {
							t.Fatalf("%s result not reduced", op)
						}
					}
					f.mul(&z, &x, &y)
					check("mul", new(big.Int).Mul(xb, yb))
					f.add(&z, &x, &y)
					check("add", new(big.Int).Add(xb, yb))
					f.sub(&z, &x, &y)
					check("sub", new(big.Int).Sub(xb, yb))
				}
				x := f.montBig(xb)
				var z fe
				f.sqr(&z, &x)
				if got, want := f.plainBig(&z), new(big.Int).Mod(new(big.Int).Mul(xb, xb), m); got.Cmp(want) != 0 {
					t.Fatalf("sqr(%x) = %x, want %x", xb, got, want)
				}
				f.neg(&z, &x)
				if got, want := f.plainBig(&z), new(big.Int).Mod(new(big.Int).Neg(xb), m); got.Cmp(want) != 0 {
					t.Fatalf("neg(%x) = %x, want %x", xb, got, want)
				}
				f.inv(&z, &x)
				want := new(big.Int).ModInverse(xb, m)
				if want == nil {
					want = new(big.Int) // 0 has no inverse; Fermat gives 0
				}
				if got := f.plainBig(&z); got.Cmp(want) != 0 {
					t.Fatalf("inv(%x) = %x, want %x", xb, got, want)
				}
				f.invVartime(&z, &x)
				if got := f.plainBig(&z); got.Cmp(want) != 0 {
					t.Fatalf("invVartime(%x) = %x, want %x", xb, got, want)
				}
			}
		})
	}
}

func TestFieldReduceWide(t *testing.T) {
	// toMont must reduce any n-limb value, not only values below m: signing
	// relies on it to turn x mod p into x mod q.
	rng := rand.New(rand.NewPCG(3, 4))
	for name, f := range testFields(t) {
		t.Run(name, func(t *testing.T) {
			r := new(big.Int).Lsh(big.NewInt(1), uint(64*f.n))
			for i := 0; i < 200; i++ {
				var v fe
				for j := 0; j < f.n; j++ {
					v[j] = rng.Uint64()
				}
				if i == 0 {
					for j := 0; j < f.n; j++ {
						v[j] = ^uint64(0) // R − 1
					}
				}
				vb := feToBig(&v)
				var z fe
				f.toMont(&z, &v)
				got := f.plainBig(&z)
				if want := new(big.Int).Mod(vb, f.mod); got.Cmp(want) != 0 || vb.Cmp(r) >= 0 {
					t.Fatalf("reduce(%x) = %x, want %x", vb, got, want)
				}
			}
		})
	}
}

func TestFieldPredicates(t *testing.T) {
	f := TC26512A().f
	zero, one := fe{}, fe{1}
	pm1 := feFromBig(new(big.Int).Sub(f.mod, big.NewInt(1)))
	tests := []struct {
		name string
		got  uint64
		want uint64
	}{
		{"isZero(0)", f.isZero(&zero), 1},
		{"isZero(1)", f.isZero(&one), 0},
		{"equal(1,1)", f.equal(&one, &one), 1},
		{"equal(0,1)", f.equal(&zero, &one), 0},
		{"less(p-1)", f.less(&pm1), 1},
		{"less(p)", f.less(&f.m), 0},
		{"ctEq(3,3)", ctEq(3, 3), 1},
		{"ctEq(0,15)", ctEq(0, 15), 0},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}
