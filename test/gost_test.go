package test

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/certcheck"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// ncaDir is the NCA test material in the repository (testdata/nca).
func ncaDir(t *testing.T) string { return testenv.Path(t, "testdata", "nca") }

// TestEndToEndGOST runs the pipeline with GOST 2015-512 keys: NCA's real
// test keys of an individual and of a legal entity head sign the forms
// and status requests, and an information-system key in NCA's current
// profile (no IIN, EKU 1.2.398.3.3.4.1.2.6, issued by the test PKI)
// signs WS-Security. The sandbox verifies all of it, chains included, to
// NCA's GOST test root and the test PKI's root.
//
// Revocation is off here: the test PKI publishes no CRL. NCA's own
// information-system test key is revoked (superseded) since 2026-06-02,
// and salyq refuses it as transport key (TestRevokedTransportKey).
func TestEndToEndGOST(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	nca := ncaDir(t)
	dir := t.TempDir()
	keyDir := filepath.Join(dir, "keys")
	os.MkdirAll(keyDir, 0o700)
	for _, f := range []string{"individual_valid_individual_valid.p12", "legal_valid_head.p12"} {
		data, err := os.ReadFile(filepath.Join(nca, "p12", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(keyDir, f), data, 0o600)
	}
	keys, err := fixture() // the sandbox's own RSA key signs its answers
	if err != nil {
		t.Fatal(err)
	}
	gwCert := filepath.Join(dir, "gateway.pem")
	os.WriteFile(gwCert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: keys.gateway.Certificate().Raw}), 0o600)

	// The organisation's information-system key, as NCA issues it today.
	transport, err := keys.pki.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem, Usage: ncakey.UsageSign | ncakey.UsageAuth,
		BIN: ncakey.TestBIN, Name: "SALYQ GOST E2E", GOST: true})
	if err != nil {
		t.Fatal(err)
	}
	if id := transport.Identity(); id.IIN != "" || id.Role != ncakey.RoleInfoSystem {
		t.Fatalf("transport identity %v", id)
	}
	transportFile := filepath.Join(dir, "transport.p12")
	if err := transport.WriteP12(transportFile, "tpw"); err != nil {
		t.Fatal(err)
	}
	// Trust anchors: NCA's GOST test root and CA, and the test PKI's root.
	trustDir := filepath.Join(dir, "trust")
	os.MkdirAll(trustDir, 0o700)
	for _, f := range []string{"root_test_gost_2022.cer", "nca_gost2022_test.cer"} {
		data, err := os.ReadFile(filepath.Join(nca, "certs", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(trustDir, f), data, 0o600)
	}
	if err := keys.pki.WriteRootPEM(filepath.Join(trustDir, "salyq-test-root.pem")); err != nil {
		t.Fatal(err)
	}

	// The sandbox checks every chain, the transport's and the taxpayers',
	// to the same anchors.
	anchors, err := certcheck.LoadCertificates(trustDir)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t}
	h.connect(dir,
		sonosim.Config{
			Gateway:             keys.gateway.Signer(),
			Trust:               anchors,
			AllowTestIdentities: true,
			Seed:                11,
			Faults:              sonosim.Faults{TransientRate: 0.05, DropAfterAcceptRate: 0.05},
		},
		app.Config{
			Keys: keyDir, KeysPassword: "Qwerty12", TestIdentities: true,
			TransportKey: transportFile, TransportPass: "tpw",
			GatewayCert: gwCert, Trust: trustDir, CRL: "off",
		})
	if alg := h.rt.Keys.Entries()[0].Key.Signer().Algorithm().SignatureURI; alg != xmldsig.SignatureGOST2015512 {
		t.Fatalf("keystore key signs with %s", alg)
	}
	h.taxpayers = []string{ncakey.TestIIN, ncakey.TestBIN}
	h.start()
	s := submitGood(t, h, 20)
	checkOutcome(t, h, s, 2*time.Minute)
}

// TestRevokedTransportKey: with NCA's CRL configured, the revoked
// information-system key is refused before anything is sent.
func TestRevokedTransportKey(t *testing.T) {
	nca := ncaDir(t)
	rt := &app.Runtime{Cfg: app.Config{Trust: filepath.Join(nca, "certs"), CRL: filepath.Join(nca, "crl", "nca_gost2022_test_2026.crl")}, Clock: time.Now}
	if err := rt.OpenChecker(); err != nil {
		t.Fatal(err)
	}
	k, err := ncakey.Load(filepath.Join(nca, "p12", "legal_valid_infosystem.p12"), "Qwerty12")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	if err := rt.CheckKey(context.Background(), k.Certificate(), at); err == nil {
		t.Fatal("revoked transport key accepted")
	}
	head, err := ncakey.Load(filepath.Join(nca, "p12", "legal_valid_head.p12"), "Qwerty12")
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.CheckKey(context.Background(), head.Certificate(), at); err != nil {
		t.Fatalf("valid head key refused: %v", err)
	}
}
