package sonosim_test

import (
	"crypto/x509"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/certcheck"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
)

// signerKeys are the taxpayer's SIGN keys the trust checks tell apart:
// one revoked by the sandbox's CRL, one of the same taxpayer from a PKI
// the sandbox does not trust.
type signerKeys struct {
	revoked, untrusted *ncatest.Issued
	crl                string
}

func mustSignerKeys(t *testing.T, k *testKeys) signerKeys {
	t.Helper()
	iin, reuse := k.iin(), k.set.IndividualSign.PrivateKey()
	revoked, err := k.pki.Issue(ncatest.Request{Role: ncakey.RoleIndividual, IIN: iin, Key: reuse})
	if err != nil {
		t.Fatal(err)
	}
	other, err := ncatest.New(ncatest.Options{Now: testNow.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	untrusted, err := other.Issue(ncatest.Request{Role: ncakey.RoleIndividual, IIN: iin, Key: reuse})
	if err != nil {
		t.Fatal(err)
	}
	der, err := k.pki.CRL(testNow.Add(-time.Hour), testNow.AddDate(0, 0, 7), revoked.Certificate())
	if err != nil {
		t.Fatal(err)
	}
	crl := filepath.Join(t.TempDir(), "root.crl")
	if err := os.WriteFile(crl, der, 0o600); err != nil {
		t.Fatal(err)
	}
	return signerKeys{revoked: revoked, untrusted: untrusted, crl: crl}
}

// TestFormSignerTrust: SONO checks the taxpayer's certificate, not only
// the signature: a form signed by a certificate outside the sandbox's
// trust anchors, revoked by its CRL, AUTH-only or another taxpayer's is
// refused; the anchored SIGN key of the taxpayer is accepted.
func TestFormSignerTrust(t *testing.T) {
	k := mustKeys(t)
	sk := mustSignerKeys(t, k)
	s := newSim(t, func(c *sonosim.Config) { c.CRLs = []certcheck.Source{certcheck.FileSource(sk.crl)} })
	iin := k.iin()
	form := func(is *ncatest.Issued) []byte {
		return rawSigned(t, is.Signer(), sheets(iin, "2025", envelope.KindRegular))
	}
	for _, tc := range []struct {
		name, code, says string
		form             []byte
	}{
		{"outside the trust anchors", envelope.CodeFormSignature, "does not chain to a trusted", form(sk.untrusted)},
		{"revoked", envelope.CodeFormSignature, "revoked", form(sk.revoked)},
		{"AUTH-only", envelope.CodeFormSignature, "keyUsage", form(k.set.IndividualAuth)},
		{"another taxpayer's", envelope.CodeSubjectMismatch, "does not belong to taxpayer", form(k.set.HeadSign)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := s.send(tc.form)
			if r.status != http.StatusOK || errCode(r) != tc.code || !strings.Contains(r.receipt.Error.Message, tc.says) {
				t.Fatalf("status %d code %q, want %s saying %q\n%.800s", r.status, errCode(r), tc.code, tc.says, r.body)
			}
		})
	}
	if n := len(s.srv.Filings()); n != 0 {
		t.Fatalf("%d filings after refusals", n)
	}
	requestID, _ := s.accept(form(k.set.IndividualSign))

	// A status request is signed by the taxpayer too, and checked alike.
	for _, is := range []*ncatest.Issued{sk.untrusted, sk.revoked} {
		if r := s.status(envelope.StatusRequest{RequestID: requestID}, is.Signer()); errCode(r) != envelope.CodeFormSignature {
			t.Errorf("status request signed by %s: code %q\n%.600s", is.Certificate().SerialNumber, errCode(r), r.body)
		}
	}
	if r := s.status(envelope.StatusRequest{RequestID: requestID}, k.set.IndividualSign.Signer()); r.st == nil || r.st.Error != nil {
		t.Fatalf("status request of the anchored key: %.600s", r.body)
	}
}

// TestTrustFlags: --trust adds anchors to the sandbox's own root, --crl
// must be a CRL of a trusted CA, and a sandbox without trust anchors is
// refused.
func TestTrustFlags(t *testing.T) {
	k := mustKeys(t)
	sk := mustSignerKeys(t, k)
	dir := t.TempDir()
	root := filepath.Join(dir, "root.pem")
	if err := k.pki.WriteRootPEM(root); err != nil {
		t.Fatal(err)
	}
	parse := func(args ...string) (sonosim.Options, error) {
		var o sonosim.Options
		fs := flag.NewFlagSet("sono-sim", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		sonosim.RegisterFlags(fs, &o)
		return o, fs.Parse(args)
	}
	o, err := parse("--trust", root, "--crl", sk.crl)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Config.Trust) != 1 || !o.Config.Trust[0].Equal(k.pki.Root()) || len(o.Config.CRLs) != 1 {
		t.Fatalf("trust %d certificates, %d CRLs", len(o.Config.Trust), len(o.Config.CRLs))
	}
	o.Config.Gateway = k.gateway.Signer()
	o.Config.Clock = func() time.Time { return testNow }
	if _, err := sonosim.New(o.Config); err != nil {
		t.Fatalf("New: %v", err)
	}
	if _, err := parse("--trust", filepath.Join(dir, "missing.pem")); err == nil {
		t.Error("--trust of a missing file accepted")
	}
	if _, err := parse("--crl", "off"); err == nil || !strings.Contains(err.Error(), "names no CRL") {
		t.Errorf("--crl off: %v", err)
	}
	// A CRL whose issuer is not trusted cannot apply to anything.
	other, err := ncatest.New(ncatest.Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	cfg := sonosim.Config{Gateway: k.gateway.Signer(), Trust: []*x509.Certificate{other.Root()}, CRLs: []certcheck.Source{certcheck.FileSource(sk.crl)}}
	if _, err := sonosim.New(cfg); !errors.Is(err, sonosim.ErrConfig) || !strings.Contains(err.Error(), "not among the trusted") {
		t.Errorf("CRL of an untrusted CA: %v", err)
	}
}

// TestNCATrust: with NCA's GOST test root and CRL added to its own root
// (what --trust testdata/nca/certs --crl … does), the sandbox accepts a
// form signed by NCA's valid GOST key of the taxpayer and refuses the
// one NCA revoked.
func TestNCATrust(t *testing.T) {
	nca := testenv.Path(t, "testdata", "nca")
	certs, err := certcheck.LoadCertificates(filepath.Join(nca, "certs"))
	if err != nil {
		t.Fatal(err)
	}
	// Inside the keys' validity and the CRL's (issued 2026-08-11).
	at := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	k := mustKeys(t)
	s := newSim(t, func(c *sonosim.Config) {
		c.Trust = append(c.Trust, certs...)
		c.CRLs = []certcheck.Source{certcheck.FileSource(filepath.Join(nca, "crl", "nca_gost2022_test_2026.crl"))}
		c.AllowTestIdentities = true
		c.Clock = func() time.Time { return at }
	})
	form := func(file string) []byte {
		key, err := ncakey.Load(filepath.Join(nca, "p12", file), "Qwerty12")
		if err != nil {
			t.Fatal(err)
		}
		f, err := envelope.ParseForm(envelope.BuildForm("910.00", "27", sheets(ncakey.TestIIN, "2025", envelope.KindRegular)), envelope.FormOptions{AllowTestIdentities: true})
		if err != nil {
			t.Fatal(err)
		}
		out, err := envelope.SignForm(ctx, f, key.Signer(), envelope.SignOptions{Now: at, AllowTestIdentities: true})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// A transport key of the sandbox's own root (RSA) signs the envelope:
	// the anchors add up.
	transport, err := k.pki.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem, Key: k.transport.PrivateKey(),
		NotBefore: at.Add(-time.Hour), NotAfter: at.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	s.codec.Clock = func() time.Time { return at }
	send := func(signed []byte) result {
		body, _ := s.encode(envelope.ServiceSend, element(t, signed), transport.Signer())
		return s.postXML(body)
	}
	if r := send(form("individual_revoked_individual_revoked.p12")); errCode(r) != envelope.CodeFormSignature || !strings.Contains(r.receipt.Error.Message, "revoked") {
		t.Fatalf("revoked NCA key: code %q\n%.800s", errCode(r), r.body)
	}
	if r := send(form("individual_valid_individual_valid.p12")); r.receipt == nil || r.receipt.RequestID == "" {
		t.Fatalf("valid NCA key: code %q\n%.800s", errCode(r), r.body)
	}
}
