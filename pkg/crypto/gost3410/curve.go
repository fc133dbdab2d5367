package gost3410

import (
	"fmt"
	"math/big"
	"sync"
)

// Curve is a short Weierstrass curve y² = x³ + ax + b over GF(p) with a base
// point of prime order q, as GOST R 34.10 uses it. A Curve is immutable once
// built, apart from its base-point tables, computed once on first use, and
// its bounded cache of public keys' verification tables; all are safe for
// concurrent use.
type Curve struct {
	name     string
	size     int    // bytes of a coordinate and of a scalar
	f        *field // arithmetic mod p
	sc       *field // arithmetic mod q
	a, b, b3 fe     // Montgomery form mod p
	aMinus3  bool
	gx, gy   fe // base point, Montgomery form mod p
	cofactor int64
	p, q     *big.Int
	qBits    int
	table    func() *baseTable
	gTable   func() *oddTable // verification's table of G
	keys     *keyCache        // verification tables of repeating public keys
}

// curveParams are a curve's published constants, big-endian hex.
type curveParams struct {
	name             string
	size             int
	p, a, b, q, x, y string
	cofactor         int64
}

var (
	// tc26-gost-3410-12-512-paramSetA, RFC 7836 §A.1 (= NCA 1.2.398.3.10.1.1.2.2.1).
	paramsTC26512A = curveParams{
		name: "tc26-gost-3410-12-512-paramSetA",
		size: 64,
		p:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
		a:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
		b:    "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
		q:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
		x:    "03",
		y:    "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",

		cofactor: 1,
	}
	// id-GostR3410-2001-CryptoPro-A-ParamSet, RFC 4357 §11.4.
	paramsCryptoProA = curveParams{
		name: "id-GostR3410-2001-CryptoPro-A-ParamSet",
		size: 32,
		p:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
		a:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
		b:    "A6",
		q:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
		x:    "01",
		y:    "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",

		cofactor: 1,
	}
	// id-tc26-gost-3410-12-256-paramSetA, RFC 7836 §A.2, in Weierstrass form
	// (the twisted Edwards curve maps onto it; a ≠ −3, cofactor 4).
	paramsTC26256A = curveParams{
		name: "tc26-gost-3410-12-256-paramSetA",
		size: 32,
		p:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
		a:    "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
		b:    "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
		q:    "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
		x:    "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
		y:    "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",

		cofactor: 4,
	}
)

// The named curves are built on first use and then shared read-only.
var (
	curveTC26512A   = sync.OnceValue(func() *Curve { return mustCurve(&paramsTC26512A) })
	curveCryptoProA = sync.OnceValue(func() *Curve { return mustCurve(&paramsCryptoProA) })
	curveTC26256A   = sync.OnceValue(func() *Curve { return mustCurve(&paramsTC26256A) })
)

// TC26512A returns tc26-gost-3410-12-512-paramSetA, the curve of NCA's
// GOST 2015-512 keys.
func TC26512A() *Curve { return curveTC26512A() }

// CryptoProA returns the CryptoPro-A curve of GOST R 34.10-2001, used by
// NCA's GOST 34.310-2004 keys.
func CryptoProA() *Curve { return curveCryptoProA() }

// TC26256A returns tc26-gost-3410-12-256-paramSetA.
func TC26256A() *Curve { return curveTC26256A() }

// oidCurves maps parameter-set OIDs, NCA's and the standard ones, to curves.
var oidCurves = map[string]func() *Curve{
	"1.2.398.3.10.1.1.2.2.1": TC26512A,   // NCA GOST 2015-512 curve
	"1.2.643.7.1.2.1.2.1":    TC26512A,   // id-tc26-gost-3410-12-512-paramSetA
	"1.2.398.3.10.1.1.1.1":   CryptoProA, // NCA GOST 34.310-2004 key algorithm
	"1.2.398.3.10.1.1.1.1.1": CryptoProA, // NCA GOST 34.310-2004 curve parameters
	"1.2.643.2.2.35.1":       CryptoProA, // id-GostR3410-2001-CryptoPro-A-ParamSet
	"1.2.643.2.2.36.0":       CryptoProA, // CryptoPro-XchA, same curve
	"1.2.643.7.1.2.1.1.2":    CryptoProA, // id-tc26-gost-3410-12-256-paramSetB, same curve
	"1.2.643.7.1.2.1.1.1":    TC26256A,   // id-tc26-gost-3410-12-256-paramSetA
}

// CurveByOID returns the curve an OID names. Unknown OIDs give an error
// wrapping ErrUnknownCurve.
func CurveByOID(oid string) (*Curve, error) {
	if get, ok := oidCurves[oid]; ok {
		return get(), nil
	}
	return nil, &Error{Op: "curve by OID", Detail: oid, Err: ErrUnknownCurve}
}

// Name returns the curve's standard name.
func (c *Curve) Name() string { return c.name }

// Size returns the byte length of a coordinate, of a scalar and of each
// half of a signature: 64 for 512-bit curves, 32 for 256-bit ones.
func (c *Curve) Size() int { return c.size }

// PointSize returns the byte length of a raw public key, x_LE ‖ y_LE.
func (c *Curve) PointSize() int { return 2 * c.size }

// SignatureSize returns the byte length of a signature, r_LE ‖ s_LE.
func (c *Curve) SignatureSize() int { return 2 * c.size }

// Order returns a copy of q, the order of the base point.
func (c *Curve) Order() *big.Int { return new(big.Int).Set(c.q) }

// Prime returns a copy of p, the field modulus.
func (c *Curve) Prime() *big.Int { return new(big.Int).Set(c.p) }

func mustCurve(cp *curveParams) *Curve {
	c, err := newCurve(cp)
	if err != nil {
		// The parameters are compile-time constants checked by the tests.
		panic(err)
	}
	return c
}

// newCurve builds a curve from its constants and checks that the base point
// lies on it.
func newCurve(cp *curveParams) (*Curve, error) {
	hex := func(s string) (*big.Int, error) {
		v, ok := new(big.Int).SetString(s, 16)
		if !ok {
			return nil, fmt.Errorf("%s: bad constant %q", cp.name, s)
		}
		return v, nil
	}
	var vals [6]*big.Int
	for i, s := range []string{cp.p, cp.a, cp.b, cp.q, cp.x, cp.y} {
		v, err := hex(s)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	p, a, b, q, x, y := vals[0], vals[1], vals[2], vals[3], vals[4], vals[5]
	if cp.size != 32 && cp.size != 64 || p.BitLen() > 8*cp.size || q.BitLen() > 8*cp.size ||
		p.Bit(0) == 0 || q.Bit(0) == 0 {
		return nil, fmt.Errorf("%s: unsupported sizes", cp.name)
	}
	n := cp.size / 8
	c := &Curve{
		name:     cp.name,
		size:     cp.size,
		f:        newField(p, n),
		sc:       newField(q, n),
		cofactor: cp.cofactor,
		p:        p,
		q:        q,
		qBits:    q.BitLen(),
	}
	c.a = c.f.montBig(a)
	c.b = c.f.montBig(b)
	c.b3 = c.f.montBig(new(big.Int).Mod(new(big.Int).Mul(b, big.NewInt(3)), p))
	c.aMinus3 = new(big.Int).Sub(p, big.NewInt(3)).Cmp(a) == 0
	c.gx = c.f.montBig(x)
	c.gy = c.f.montBig(y)
	if !c.onCurve(&c.gx, &c.gy) {
		return nil, fmt.Errorf("%s: base point not on curve", cp.name)
	}
	c.table = sync.OnceValue(c.buildTable)
	c.gTable = sync.OnceValue(func() *oddTable {
		g := affine{x: c.gx, y: c.gy}
		return c.newOddTable(&g, gWindow, 8*c.size/verifyTeeth, verifyTeeth)
	})
	c.keys = newKeyCache(KeyCacheSize)
	return c, nil
}
