package test

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/certcheck"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// ncaDir is the NCA test material in the repository (testdata/nca).
func ncaDir(t *testing.T) string { return testenv.Path(t, "testdata", "nca") }

// TestEndToEndGOST runs the pipeline with NCA's real GOST 2015-512 test
// keys: an individual's and a legal entity head's key sign the forms and
// status requests, the legal entity's information-system key signs
// WS-Security, and the sandbox verifies all of it, chains included, to
// NCA's GOST test root.
//
// Revocation is off here: NCA's 2026 CRL lists the information-system
// key as revoked (superseded) since 2026-06-02, so with the CRL on, salyq
// refuses it as transport key, as it must (TestRevokedTransportKey).
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

	// The sandbox checks every chain, the transport's and the taxpayers',
	// to NCA's GOST test root.
	ncaCerts, err := certcheck.LoadCertificates(filepath.Join(nca, "certs"))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t}
	h.connect(dir,
		sonosim.Config{
			Gateway:             keys.gateway.Signer(),
			Trust:               ncaCerts,
			AllowTestIdentities: true,
			Seed:                11,
			Faults:              sonosim.Faults{TransientRate: 0.05, DropAfterAcceptRate: 0.05},
		},
		app.Config{
			Keys: keyDir, KeysPassword: "Qwerty12", TestIdentities: true,
			TransportKey: filepath.Join(nca, "p12", "legal_valid_infosystem.p12"), TransportPass: "Qwerty12",
			GatewayCert: gwCert, Trust: filepath.Join(nca, "certs"), CRL: "off",
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
