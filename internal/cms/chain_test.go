package cms

import (
	"crypto/x509"
	"errors"
	"testing"

	"github.com/salyq/salyq/pkg/certcheck"
)

// TestSignerChainsToNCATestRoot shows the division of labour: Verify proves
// the signature, certcheck proves the certificate, at the signing time
// (the certificate expired in 2024).
func TestSignerChainsToNCATestRoot(t *testing.T) {
	sd, err := Parse(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	signers, err := sd.Verify(nil)
	if err != nil {
		t.Fatal(err)
	}
	root := ncaCert(t, "certs/root_test_gost_2022.cer")
	ca := ncaCert(t, "certs/nca_gost2022_test.cer")
	checker, err := certcheck.New(certcheck.Options{Roots: []*x509.Certificate{root}, Intermediates: []*x509.Certificate{ca}})
	if err != nil {
		t.Fatal(err)
	}
	s := signers[0]
	chain, err := checker.Verify(s.Certificate, s.SigningTime)
	if err != nil {
		t.Fatalf("signer chain at %v: %v", s.SigningTime, err)
	}
	if len(chain.Certificates) != 3 || chain.Anchor() != root {
		t.Fatalf("chain of %d", len(chain.Certificates))
	}
	// The timestamp's genTime is just as good a verification time.
	if _, err := checker.Verify(s.Certificate, s.Timestamp.GenTime); err != nil {
		t.Fatalf("signer chain at genTime: %v", err)
	}

	// The TSA certificate is issued by the production NCA GOST CA of the
	// older PKI (34.310-2004), which is not part of the test material: it
	// must not chain to the test root.
	tsa := s.Timestamp.Signer.Certificate
	if _, err := checker.Verify(tsa, s.Timestamp.GenTime); !errors.Is(err, certcheck.ErrUntrusted) {
		t.Fatalf("TSA certificate against the test root: %v", err)
	}
	if tsa.Issuer.CommonName == root.Subject.CommonName {
		t.Fatalf("TSA issuer %q unexpectedly the test root", tsa.Issuer.CommonName)
	}
}
