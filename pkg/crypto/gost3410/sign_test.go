package gost3410

import (
	"bytes"
	"crypto/rand"
	"errors"
	"math/big"
	"testing"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	for _, c := range allCurves() {
		t.Run(c.Name(), func(t *testing.T) {
			key, err := GenerateKey(c, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			other, err := GenerateKey(c, nil)
			if err != nil {
				t.Fatal(err)
			}
			pub := key.Public()
			for i := 0; i < 8; i++ {
				digest := make([]byte, c.Size())
				rand.Read(digest)
				if i == 0 {
					digest = make([]byte, c.Size()) // e = 0 → 1
				}
				sig, err := key.Sign(rand.Reader, digest)
				if err != nil {
					t.Fatal(err)
				}
				if len(sig) != c.SignatureSize() {
					t.Fatalf("signature is %d bytes", len(sig))
				}
				if err := pub.VerifyErr(digest, sig); err != nil {
					t.Fatalf("valid signature rejected: %v", err)
				}
				badDigest := bytes.Clone(digest)
				badDigest[i%len(badDigest)] ^= 0x02 // not 0x01: the zero digest already maps to e = 1
				if pub.Verify(badDigest, sig) {
					t.Fatal("tampered digest accepted")
				}
				for _, pos := range []int{0, c.Size() - 1, c.Size(), 2*c.Size() - 2} {
					badSig := bytes.Clone(sig)
					badSig[pos] ^= 0x10
					if pub.Verify(digest, badSig) {
						t.Fatalf("signature tampered at %d accepted", pos)
					}
				}
				if err := other.Public().VerifyErr(digest, sig); !errors.Is(err, ErrVerification) {
					t.Fatalf("wrong key: err = %v, want ErrVerification", err)
				}
			}
			// Re-import the key from its bytes and the public key from raw.
			k2, err := NewPrivateKey(c, key.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			p2, err := NewPublicKey(c, pub.Raw())
			if err != nil {
				t.Fatal(err)
			}
			if !p2.Equal(pub) || !k2.Public().Equal(pub) {
				t.Fatal("re-imported keys differ")
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	c := TC26512A()
	key, err := GenerateKey(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	digest := bytes.Repeat([]byte{7}, 64)
	sig, err := key.Sign(nil, digest)
	if err != nil {
		t.Fatal(err)
	}
	qLE := scalarLE(c, c.q)
	zero := make([]byte, 64)
	tests := []struct {
		name string
		sig  []byte
	}{
		{"empty", nil},
		{"short", sig[:127]},
		{"long", append(bytes.Clone(sig), 0)},
		{"r=0", append(bytes.Clone(zero), sig[64:]...)},
		{"s=0", append(bytes.Clone(sig[:64]), zero...)},
		{"r=q", append(bytes.Clone(qLE), sig[64:]...)},
		{"s=q", append(bytes.Clone(sig[:64]), qLE...)},
	}
	for _, tc := range tests {
		if err := key.Public().VerifyErr(digest, tc.sig); !errors.Is(err, ErrMalformedSignature) {
			t.Errorf("%s: err = %v, want ErrMalformedSignature", tc.name, err)
		}
	}
}

func TestKeyValidation(t *testing.T) {
	c := TC26512A()
	qLE := scalarLE(c, c.q)
	pLE := scalarLE(c, c.p)
	key, err := GenerateKey(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw := key.Public().Raw()
	offCurve := bytes.Clone(raw)
	offCurve[70] ^= 1
	xTooBig := append(bytes.Clone(pLE), raw[64:]...)
	privTests := []struct {
		name string
		d    []byte
	}{
		{"empty", nil},
		{"too long", make([]byte, 65)},
		{"zero", make([]byte, 64)},
		{"q", qLE},
	}
	for _, tc := range privTests {
		if _, err := NewPrivateKey(c, tc.d); !errors.Is(err, ErrInvalidPrivateKey) {
			t.Errorf("private %s: err = %v", tc.name, err)
		}
	}
	pubTests := []struct {
		name string
		c    *Curve
		raw  []byte
	}{
		{"short", c, raw[:127]},
		{"off curve", c, offCurve},
		{"x = p", c, xTooBig},
		{"512 key on 256 curve", CryptoProA(), raw[:64]},
		{"zero point", c, make([]byte, 128)},
	}
	for _, tc := range pubTests {
		if _, err := NewPublicKey(tc.c, tc.raw); !errors.Is(err, ErrInvalidPublicKey) {
			t.Errorf("public %s: err = %v", tc.name, err)
		}
	}
	// tc26-256-A has cofactor 4: a curve point outside the q-subgroup must be
	// refused. (x, y)·q ≠ O for G + T where T has order 2 or 4; find a point
	// of order dividing 4 by multiplying a random point by q.
	c256 := TC26256A()
	rc := newRef(c256)
	for xv := int64(1); xv < 200; xv++ {
		x := big.NewInt(xv)
		rhs := new(big.Int).Exp(x, big.NewInt(3), c256.p)
		rhs.Add(rhs, new(big.Int).Mul(rc.a, x)).Add(rhs, rc.b).Mod(rhs, c256.p)
		y := new(big.Int).ModSqrt(rhs, c256.p)
		if y == nil {
			continue
		}
		pt := refPoint{x: x, y: y}
		if rc.mul(pt, c256.q).inf {
			continue // happens to be in the subgroup
		}
		b := make([]byte, 64)
		xf, yf := feFromBig(x), feFromBig(y)
		xf.putLE(b[:32])
		yf.putLE(b[32:])
		if _, err := NewPublicKey(c256, b); !errors.Is(err, ErrInvalidPublicKey) {
			t.Fatalf("point outside the subgroup accepted: %v", err)
		}
		return
	}
	t.Fatal("found no point outside the subgroup to test with")
}

func TestCurveByOID(t *testing.T) {
	tests := []struct {
		oid  string
		want *Curve
	}{
		{"1.2.398.3.10.1.1.2.2.1", TC26512A()},
		{"1.2.643.7.1.2.1.2.1", TC26512A()},
		{"1.2.398.3.10.1.1.1.1", CryptoProA()},
		{"1.2.643.2.2.35.1", CryptoProA()},
		{"1.2.643.7.1.2.1.1.1", TC26256A()},
	}
	for _, tc := range tests {
		got, err := CurveByOID(tc.oid)
		if err != nil || got != tc.want {
			t.Errorf("CurveByOID(%s) = %v, %v", tc.oid, got, err)
		}
	}
	if _, err := CurveByOID("1.2.3"); !errors.Is(err, ErrUnknownCurve) {
		t.Errorf("unknown OID: err = %v", err)
	}
}

// failingReader makes the random source fail.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

func TestSignRandomFailure(t *testing.T) {
	key, err := GenerateKey(CryptoProA(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := key.Sign(failingReader{}, make([]byte, 32)); !errors.Is(err, ErrRandom) {
		t.Fatalf("err = %v, want ErrRandom", err)
	}
	if _, err := GenerateKey(CryptoProA(), failingReader{}); !errors.Is(err, ErrRandom) {
		t.Fatalf("err = %v, want ErrRandom", err)
	}
}
