package ncakey_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/xmldsig"
	"software.sslmate.com/src/go-pkcs12"
)

func TestLoadGeneratedP12(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		is   *ncatest.Issued
	}{
		{"individual sign", f.set.IndividualSign},
		{"individual auth", f.set.IndividualAuth},
		{"head sign", f.set.HeadSign},
		{"infosystem", f.set.InfoSystem},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".p12")
			if err := tc.is.WriteP12(path, "Qwerty12"); err != nil {
				t.Fatal(err)
			}
			k, err := ncakey.Load(path, "Qwerty12")
			if err != nil {
				t.Fatal(err)
			}
			if !k.Certificate().Equal(tc.is.Certificate()) {
				t.Error("certificate differs")
			}
			if !reflect.DeepEqual(k.Identity(), tc.is.Identity()) {
				t.Errorf("identity %v, want %v", k.Identity(), tc.is.Identity())
			}
			if ch := k.Chain(); len(ch) != 1 || !ch[0].Equal(f.pki.Root()) {
				t.Errorf("chain %d certificates, want the root", len(ch))
			}
			if k.Signer().Algorithm().SignatureURI != xmldsig.SignatureRSASHA256 || k.Signer().Certificate() != k.Certificate() {
				t.Error("signer algorithm or certificate")
			}
		})
	}
}

// TestEncoders: both PKCS#12 profiles the test PKI can write are read.
func TestEncoders(t *testing.T) {
	f := getFixture(t)
	is := f.set.HeadSign
	for name, enc := range map[string]*pkcs12.Encoder{"LegacyRC2": pkcs12.LegacyRC2, "LegacyDES": pkcs12.LegacyDES, "Modern2023": pkcs12.Modern2023} {
		data, err := enc.Encode(is.PrivateKey(), is.Certificate(), nil, "pw")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ncakey.Parse(data, "pw"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	f := getFixture(b)
	s := f.set.HeadSign.Signer()
	msg := make([]byte, 1024)
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Sign(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	f := getFixture(b)
	data, err := f.set.HeadSign.P12("pw")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ncakey.Parse(data, "pw"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSignVerifies(t *testing.T) {
	f := getFixture(t)
	k := roundTrip(t, f.set.HeadSign, "pw")
	msg := []byte(`<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">…</ds:SignedInfo>`)
	sig, err := k.Signer().Sign(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	pub := k.Certificate().PublicKey.(*rsa.PublicKey)
	sum := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	// The certificate's own check agrees, and a changed message fails.
	if err := k.Certificate().CheckSignature(x509.SHA256WithRSA, msg, sig); err != nil {
		t.Fatal(err)
	}
	if err := k.Certificate().CheckSignature(x509.SHA256WithRSA, append(msg, ' '), sig); err == nil {
		t.Fatal("signature verifies over a different message")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := k.Signer().Sign(ctx, msg); !errors.Is(err, context.Canceled) {
		t.Errorf("Sign with cancelled context = %v", err)
	}
}

func TestWrongPassword(t *testing.T) {
	f := getFixture(t)
	const secret = "S3cret-Pa55word"
	const wrong = "Wr0ng-Guess-xyz"
	data, err := f.set.IndividualSign.P12(secret)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "k.p12")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, load := range []func() error{
		func() error { _, err := ncakey.Parse(data, wrong); return err },
		func() error { _, err := ncakey.Load(path, wrong); return err },
	} {
		err := load()
		wantErr(t, err, ncakey.ErrWrongPassword)
		if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), secret) {
			t.Fatalf("error message leaks a password: %q", err)
		}
	}
	if _, err := ncakey.Parse(data, ""); !errors.Is(err, ncakey.ErrWrongPassword) {
		t.Errorf("empty password: %v", err)
	}
}

func TestSeveralKeys(t *testing.T) {
	f := getFixture(t)
	data := twoKeyP12(t, f.set.IndividualSign, f.set.HeadSign)
	_, err := ncakey.Parse(data, "")
	wantErr(t, err, ncakey.ErrSeveralKeys)
}

func TestNoKeyInContainer(t *testing.T) {
	f := getFixture(t)
	data, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{f.set.HeadSign.Certificate()}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ncakey.Parse(data, "pw")
	wantErr(t, err, ncakey.ErrNoPrivateKey)
}

func TestKeyCertificateMismatch(t *testing.T) {
	f := getFixture(t)
	data, err := pkcs12.Modern.Encode(f.set.IndividualSign.PrivateKey(), f.set.HeadSign.Certificate(), nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ncakey.Parse(data, "pw")
	wantErr(t, err, ncakey.ErrKeyMismatch)
	if _, err := ncakey.NewRSAKey(f.set.IndividualSign.PrivateKey(), f.set.HeadSign.Certificate(), nil); !errors.Is(err, ncakey.ErrKeyMismatch) {
		t.Errorf("NewRSAKey = %v", err)
	}
}

// TestLeafNotFirst: a container whose first certificate bag is the CA
// still yields the key's own certificate.
func TestLeafNotFirst(t *testing.T) {
	f := getFixture(t)
	is := f.set.HeadSign
	data, err := pkcs12.Modern.Encode(is.PrivateKey(), f.pki.Root(), []*x509.Certificate{is.Certificate()}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	k, err := ncakey.Parse(data, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if !k.Certificate().Equal(is.Certificate()) || len(k.Chain()) != 1 || !k.Chain()[0].Equal(f.pki.Root()) {
		t.Errorf("leaf %v, chain of %d", k.Certificate().Subject, len(k.Chain()))
	}
}

func TestUnsupportedKeyType(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(7),
		Subject:            pkix.Name{SerialNumber: "IIN" + ncatest.NewIIN(5)},
		NotBefore:          time.Now().Add(-time.Hour),
		NotAfter:           time.Now().Add(time.Hour),
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{ncakey.RoleIndividual.OID()},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	data, err := pkcs12.Modern.Encode(key, cert, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ncakey.Parse(data, "pw")
	wantErr(t, err, ncakey.ErrUnsupportedKey)
}

func TestMalformedContainer(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty":   nil,
		"garbage": []byte("this is not a PKCS#12 file"),
		"PEM":     []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
	} {
		if _, err := ncakey.Parse(data, "pw"); !errors.Is(err, ncakey.ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ncakey.Load(filepath.Join(t.TempDir(), "missing.p12"), "pw"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestKeyChecks(t *testing.T) {
	f := getFixture(t)
	now := f.pki.Now()
	tests := []struct {
		name    string
		k       *ncakey.Key
		at      time.Time
		wantErr error
	}{
		{"valid sign", f.set.IndividualSign.Key, now, nil},
		{"auth only", f.set.IndividualAuth.Key, now, ncakey.ErrNotSigningKey},
		{"expired", f.set.ExpiredSign.Key, now, ncakey.ErrExpired},
		{"not yet valid", f.set.IndividualSign.Key, now.AddDate(-1, 0, 0), ncakey.ErrNotYetValid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.k.CheckSign(tc.at)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, tc.wantErr)
		})
	}
	var ve *ncakey.ValidityError
	err := f.set.ExpiredSign.CheckValidAt(now)
	if !errors.As(err, &ve) || !ve.NotAfter.Equal(f.set.ExpiredSign.Certificate().NotAfter) || !strings.Contains(err.Error(), ve.NotAfter.UTC().Format("2006-01-02")) {
		t.Errorf("expired error %v does not carry the date", err)
	}
	if err := f.set.IndividualAuth.CheckCanSign(); !errors.Is(err, ncakey.ErrNotSigningKey) {
		t.Errorf("CheckCanSign(AUTH) = %v", err)
	}
	if err := f.set.InfoSystem.CheckCanSign(); err != nil {
		t.Errorf("CheckCanSign(info system) = %v", err)
	}
}

// twoKeyP12 builds a PKCS#12 file whose key SafeContents holds the key
// bags of a and b. go-pkcs12 cannot encode that, so two password-less
// files are made and b's key bag is spliced into a's; without a MAC the
// splice needs no re-authentication (password "").
func twoKeyP12(t *testing.T, a, b *ncatest.Issued) []byte {
	t.Helper()
	pa, err := pkcs12.Passwordless.Encode(a.PrivateKey(), a.Certificate(), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	pb, err := pkcs12.Passwordless.Encode(b.PrivateKey(), b.Certificate(), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	bagsB := keySafeBags(t, pb)
	return withKeySafeBags(t, pa, func(bags []asn1.RawValue) []asn1.RawValue { return append(bags, bagsB...) })
}

// The path to the key bags: PFX SEQUENCE → authSafe ContentInfo →
// [0] → OCTET STRING → AuthenticatedSafe SEQUENCE → second ContentInfo →
// [0] → OCTET STRING → SafeContents SEQUENCE → SafeBags.

func keySafeBags(t *testing.T, pfx []byte) []asn1.RawValue {
	var out []asn1.RawValue
	withKeySafeBags(t, pfx, func(bags []asn1.RawValue) []asn1.RawValue { out = bags; return bags })
	return out
}

func withKeySafeBags(t *testing.T, pfx []byte, edit func([]asn1.RawValue) []asn1.RawValue) []byte {
	t.Helper()
	// descend walks into the indexed child (or, for -1, the DER inside an
	// OCTET STRING) and rebuilds each parent around the edited child.
	var descend func(v asn1.RawValue, path []int) []byte
	descend = func(v asn1.RawValue, path []int) []byte {
		kids := children(t, v)
		if len(path) == 0 {
			// v is the SafeContents SEQUENCE.
			kids = edit(kids)
			return rebuild(t, v, kids)
		}
		i := path[0]
		if i < 0 { // OCTET STRING holding DER
			inner := parse(t, v.Bytes)
			return rebuild(t, v, nil, descend(inner, path[1:]))
		}
		kids[i] = parse(t, descend(kids[i], path[1:]))
		return rebuild(t, v, kids)
	}
	// PFX[1]=authSafe; ContentInfo[1]=[0]; [0][0]=OCTET; OCTET→AuthSafe;
	// AuthSafe[1]=key ContentInfo; [1]=[0]; [0][0]=OCTET; OCTET→SafeContents.
	return descend(parse(t, pfx), []int{1, 1, 0, -1, 1, 1, 0, -1})
}

func parse(t *testing.T, der []byte) asn1.RawValue {
	t.Helper()
	var v asn1.RawValue
	rest, err := asn1.Unmarshal(der, &v)
	if err != nil || len(rest) != 0 {
		t.Fatalf("parse DER: %v (%d trailing bytes)", err, len(rest))
	}
	return v
}

func children(t *testing.T, v asn1.RawValue) []asn1.RawValue {
	t.Helper()
	if !v.IsCompound {
		return nil
	}
	var out []asn1.RawValue
	for rest := v.Bytes; len(rest) > 0; {
		var c asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// rebuild re-encodes v with new children, or with raw content when
// content is given (for an OCTET STRING).
func rebuild(t *testing.T, v asn1.RawValue, kids []asn1.RawValue, content ...[]byte) []byte {
	t.Helper()
	var body bytes.Buffer
	if content != nil {
		body.Write(content[0])
	} else {
		for _, k := range kids {
			body.Write(k.FullBytes)
		}
	}
	der, err := asn1.Marshal(asn1.RawValue{Class: v.Class, Tag: v.Tag, IsCompound: v.IsCompound, Bytes: body.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestOversizedContainer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.p12")
	if err := os.WriteFile(path, make([]byte, 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ncakey.Load(path, "pw")
	wantErr(t, err, ncakey.ErrMalformed)
}
