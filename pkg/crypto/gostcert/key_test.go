package gostcert

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"regexp"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// ncaFile reads rel in the repository's testdata/nca.
func ncaFile(t *testing.T, rel string) []byte {
	return testenv.ReadFile(t, "testdata", "nca", rel)
}

func cert(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNCAChainSignatures(t *testing.T) {
	root := cert(t, ncaFile(t, "certs/root_test_gost_2022.cer"))
	ca := cert(t, ncaFile(t, "certs/nca_gost2022_test.cer"))
	if err := CheckCertificateSignature(root, root); err != nil {
		t.Fatalf("root: %v", err)
	}
	if err := CheckCertificateSignature(ca, root); err != nil {
		t.Fatalf("issuing CA: %v", err)
	}
	if err := CheckCertificateSignature(root, ca); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("root checked with the CA key: %v", err)
	}
	pub, err := PublicKeyOf(root)
	if err != nil || pub.Kind != GOST2015_512 {
		t.Fatalf("root key: %v %v", pub, err)
	}
}

// TestOperatorCertificateKey reads the GOST 34.310-2004 key of the
// operator's signed request.
func TestOperatorCertificateKey(t *testing.T) {
	raw := ncaFile(t, "signed/nit-shep-request-gost2004.xml")
	m := regexp.MustCompile(`X509v3">([^<]+)<`).FindSubmatch(raw)
	der, err := base64.StdEncoding.DecodeString(string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := PublicKeyOf(cert(t, der))
	if err != nil {
		t.Fatal(err)
	}
	if pub.Kind != GOST2004 || pub.Key.Curve().Name() == "" {
		t.Fatalf("kind %v", pub.Kind)
	}
}

func TestParsePublicKeyRefuses(t *testing.T) {
	for name, der := range map[string][]byte{
		"empty":   nil,
		"garbage": []byte{0x30, 0x03, 0x02, 0x01},
	} {
		if _, err := ParsePublicKey(der); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
