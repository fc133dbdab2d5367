package cms

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// ncaFile reads rel in the repository's testdata/nca; missing data fails
// the test.
func ncaFile(t testing.TB, rel string) []byte {
	return testenv.ReadFile(t, "testdata", "nca", rel)
}

const samplePath = "signed/kalkan-cms-gost2015-tsa-gost2004.b64"

// sample returns the DER of the real Kalkan CMS.
func sample(t testing.TB) []byte {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(ncaFile(t, samplePath))))
	if err != nil {
		t.Fatalf("sample base64: %v", err)
	}
	return der
}

// ncaCert parses a certificate of testdata/nca.
func ncaCert(t testing.TB, rel string) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(ncaFile(t, rel))
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return c
}

// indexOnce returns the offset of the single occurrence of pat in b.
func indexOnce(t testing.TB, b, pat []byte) int {
	t.Helper()
	i := bytes.Index(b, pat)
	if i < 0 || bytes.Contains(b[i+1:], pat) {
		t.Fatalf("pattern %x not found exactly once", pat)
	}
	return i
}
