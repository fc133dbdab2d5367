package gost3410

import (
	"crypto/x509"
	"encoding/asn1"
	"os"
	"testing"

	"github.com/salyq/salyq/internal/testenv"

	"github.com/salyq/salyq/pkg/crypto/streebog"
)

// testdataPath is the path of rel in the repository's testdata/.
func testdataPath(t *testing.T, rel string) string { return testenv.Path(t, "testdata", rel) }

// ncaCert is the part of an NCA GOST certificate the signature check needs.
type ncaCert struct {
	tbs, sig []byte
	curveOID string
	pubRaw   []byte
}

func loadNCACert(t *testing.T, rel string) ncaCert {
	t.Helper()
	der, err := os.ReadFile(testdataPath(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	var spki struct {
		Algorithm struct {
			OID    asn1.ObjectIdentifier
			Params asn1.RawValue
		}
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &spki); err != nil {
		t.Fatal(err)
	}
	// Parameters: SEQUENCE { curve OID, [hash OID] }.
	var params []asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(spki.Algorithm.Params.FullBytes, &params); err != nil || len(params) == 0 {
		t.Fatalf("key parameters: %v", err)
	}
	var raw []byte
	if _, err := asn1.Unmarshal(spki.Key.Bytes, &raw); err != nil {
		t.Fatal(err)
	}
	return ncaCert{tbs: cert.RawTBSCertificate, sig: cert.Signature, curveOID: params[0].String(), pubRaw: raw}
}

func TestNCACertificates(t *testing.T) {
	root := loadNCACert(t, "nca/certs/root_test_gost_2022.cer")
	ca := loadNCACert(t, "nca/certs/nca_gost2022_test.cer")
	c, err := CurveByOID(root.curveOID)
	if err != nil {
		t.Fatal(err)
	}
	if c != TC26512A() {
		t.Fatalf("root curve %s, want tc26-512-A", c.Name())
	}
	rootKey, err := NewPublicKey(c, root.pubRaw)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cert ncaCert
	}{
		{"root self-signed", root},
		{"issuing CA signed by root", ca},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := streebog.Sum512(tc.cert.tbs)
			if err := rootKey.VerifyErr(d[:], tc.cert.sig); err != nil {
				t.Fatalf("genuine NCA signature rejected: %v", err)
			}
			tbs := append([]byte(nil), tc.cert.tbs...)
			tbs[len(tbs)-1] ^= 1
			d = streebog.Sum512(tbs)
			if rootKey.Verify(d[:], tc.cert.sig) {
				t.Fatal("signature accepted over modified TBSCertificate")
			}
		})
	}
	// The issuing CA's own key must not verify the root's signature.
	caCurve, err := CurveByOID(ca.curveOID)
	if err != nil {
		t.Fatal(err)
	}
	caKey, err := NewPublicKey(caCurve, ca.pubRaw)
	if err != nil {
		t.Fatal(err)
	}
	d := streebog.Sum512(root.tbs)
	if caKey.Verify(d[:], root.sig) {
		t.Fatal("root signature verified with the wrong key")
	}
}
