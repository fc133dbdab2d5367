package certcheck

import (
	"bytes"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"

	"github.com/salyq/salyq/pkg/ncakey"
)

func TestNCACertsChain(t *testing.T) {
	c := ncaChecker(t, nil, nil, PolicyFail)
	root, ca := ncaCert(t, rootFile), ncaCert(t, caFile)
	chain, err := c.Verify(ca, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(chain.Certificates) != 2 || !chain.Anchor().Equal(root) || chain.Revocation[0].State != NotChecked {
		t.Fatalf("chain %d, anchor %s, %+v", len(chain.Certificates), chain.Anchor().Subject, chain.Revocation)
	}
	if chain, err := c.Verify(root, at); err != nil || len(chain.Certificates) != 1 {
		t.Fatalf("root: %v %d", err, len(chain.Certificates))
	}
	// The CA alone is no trust anchor.
	onlyCA, err := New(Options{Roots: []*x509.Certificate{ca}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := onlyCA.Verify(root, at); !errors.Is(err, ErrUntrusted) {
		t.Fatalf("root under the CA: %v", err)
	}
}

// ncaKeys are the six real containers with their status in the real CRL
// at time at. legal_valid_infosystem is listed in the 2026 CRL
// (superseded on 2026-06-02) despite its file name; before that date it
// is good, which the second row checks.
var ncaKeys = []struct {
	file    string
	at      time.Time
	revoked bool
	reason  Reason
}{
	{"individual_valid_individual_valid.p12", at, false, 0},
	{"individual_revoked_individual_revoked.p12", at, true, ReasonCertificateHold},
	{"legal_valid_head.p12", at, false, 0},
	{"legal_valid_employee_signright.p12", at, false, 0},
	{"legal_revoked_head.p12", at, true, ReasonCertificateHold},
	{"legal_valid_infosystem.p12", at, true, ReasonSuperseded},
	{"legal_valid_infosystem.p12", time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC), false, ReasonSuperseded},
}

func loadNCAKey(t *testing.T, file string) *ncakey.Key {
	t.Helper()
	k, err := ncakey.Load(ncaFile(t, filepath.Join("p12", file)), "Qwerty12")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestNCAKeysChainAndRevocation(t *testing.T) {
	plain := ncaChecker(t, nil, nil, PolicyFail)
	withCRL := ncaChecker(t, FileSource(ncaFile(t, crlFile)), func() time.Time { return crlNow }, PolicyFail)
	root := ncaCert(t, rootFile)
	for _, tc := range ncaKeys {
		t.Run(tc.file+"@"+tc.at.Format("2006-01-02"), func(t *testing.T) {
			k := loadNCAKey(t, tc.file)
			leaf := k.Certificate()
			chain, err := plain.Verify(leaf, tc.at)
			if err != nil {
				t.Fatalf("chain: %v", err)
			}
			if len(chain.Certificates) != 3 || !chain.Anchor().Equal(root) {
				t.Fatalf("chain of %d ending at %s", len(chain.Certificates), chain.Anchor().Subject)
			}
			chain, err = withCRL.Verify(leaf, tc.at)
			st := chain.Revocation[0]
			if !tc.revoked {
				if err != nil || st.State != Good || st.CRLNumber != "166" {
					t.Fatalf("valid key: %v, %+v", err, st)
				}
				if tc.reason != 0 && st.Reason != tc.reason {
					t.Fatalf("revoked-later reason %s", st.Reason)
				}
				return
			}
			var re *RevokedError
			if !errors.As(err, &re) || !errors.Is(err, ErrRevoked) {
				t.Fatalf("revoked key: %v", err)
			}
			if re.Serial.Cmp(leaf.SerialNumber) != 0 || re.Reason != tc.reason || re.RevokedAt.After(tc.at) {
				t.Fatalf("revoked: %+v", re)
			}
			if !strings.Contains(err.Error(), serialHex(leaf.SerialNumber)) {
				t.Fatalf("error does not name the serial: %v", err)
			}
			if st.State != Revoked || chain.Revocation[1].State != NotChecked {
				t.Fatalf("statuses %+v", chain.Revocation)
			}
		})
	}
}

func TestNCAValidity(t *testing.T) {
	c := ncaChecker(t, nil, nil, PolicyFail)
	leaf := loadNCAKey(t, "individual_valid_individual_valid.p12").Certificate()
	ca := ncaCert(t, caFile)
	for _, tc := range []struct {
		name    string
		at      time.Time
		want    error
		subject string
	}{
		{"leaf expired", time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), ErrExpired, nameString(leaf.Subject)},
		{"leaf not yet valid", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ErrNotYetValid, nameString(leaf.Subject)},
		{"CA expired", time.Date(2032, 7, 5, 0, 0, 0, 0, time.UTC), ErrExpired, nameString(ca.Subject)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cert := leaf
			if tc.subject == nameString(ca.Subject) {
				cert = ca
			}
			_, err := c.Verify(cert, tc.at)
			var ve *ValidityError
			if !errors.Is(err, tc.want) || !errors.As(err, &ve) || ve.Subject != tc.subject {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestNCAURLSource(t *testing.T) {
	der := readNCA(t, crlFile)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/crl/nca_gost2022_test.crl" {
			http.NotFound(w, r)
			return
		}
		w.Write(der)
	}))
	defer srv.Close()
	leaf := loadNCAKey(t, "legal_revoked_head.p12").Certificate()
	for _, tc := range []struct {
		name string
		src  URLSource
		want error
	}{
		{"ok", URLSource{URL: srv.URL + "/crl/nca_gost2022_test.crl", Client: srv.Client()}, ErrRevoked},
		{"404", URLSource{URL: srv.URL + "/nope.crl", Client: srv.Client()}, ErrRevocationUnknown},
		{"too large", URLSource{URL: srv.URL + "/crl/nca_gost2022_test.crl", Client: srv.Client(), MaxSize: 1000}, ErrRevocationUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ncaChecker(t, tc.src, func() time.Time { return crlNow }, PolicyFail)
			if _, err := c.Verify(leaf, at); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if n := hits.Load(); n != 3 {
		t.Errorf("server hits %d, want 3", n)
	}
}

func TestNCACacheAndStaleness(t *testing.T) {
	src := &countingSource{name: "counting", data: readNCA(t, crlFile)}
	clock := testenv.NewClock(crlNow)
	leaf := loadNCAKey(t, "individual_valid_individual_valid.p12").Certificate()
	fail := ncaChecker(t, src, clock.Now, PolicyFail)
	for i := range 3 {
		if _, err := fail.Verify(leaf, at); err != nil {
			t.Fatalf("verify %d: %v", i, err)
		}
	}
	if n := src.count(); n != 1 {
		t.Fatalf("fetches before nextUpdate: %d, want 1", n)
	}
	// Past nextUpdate (2027-02-07) the cached copy is refreshed, and the
	// same CRL again is stale: status unknown.
	clock.Set(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC))
	_, err := fail.Verify(leaf, at)
	if !errors.Is(err, ErrRevocationUnknown) || !strings.Contains(err.Error(), "stale") {
		t.Fatalf("stale CRL under PolicyFail: %v", err)
	}
	if n := src.count(); n != 2 {
		t.Fatalf("fetches after nextUpdate: %d, want 2", n)
	}
	warn := ncaChecker(t, src, clock.Now, PolicyWarn)
	chain, err := warn.Verify(leaf, at)
	if err != nil || len(chain.Warnings) != 1 || chain.Revocation[0].State != Unknown {
		t.Fatalf("stale CRL under PolicyWarn: %v %q %+v", err, chain.Warnings, chain.Revocation)
	}
	// Unreachable source.
	src.set(nil, os.ErrNotExist)
	clock.Set(crlNow)
	if _, err := ncaChecker(t, src, clock.Now, PolicyFail).Verify(leaf, at); !errors.Is(err, ErrRevocationUnknown) {
		t.Fatalf("unreachable CRL: %v", err)
	}
}

func TestNCATamperedCRLThroughChecker(t *testing.T) {
	der := bytes.Clone(readNCA(t, crlFile))
	der[len(der)-5] ^= 0x80
	src := &countingSource{name: "tampered", data: der}
	leaf := loadNCAKey(t, "individual_valid_individual_valid.p12").Certificate()
	_, err := ncaChecker(t, src, func() time.Time { return crlNow }, PolicyFail).Verify(leaf, at)
	if !errors.Is(err, ErrRevocationUnknown) || !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered CRL: %v", err)
	}
}

func TestLoadCertificates(t *testing.T) {
	dir := t.TempDir()
	root := ncaCert(t, rootFile)
	// A PEM bundle and a DER file side by side.
	pemData := "-----BEGIN CERTIFICATE-----\n" + b64Lines(root.Raw) + "-----END CERTIFICATE-----\n"
	if err := os.WriteFile(filepath.Join(dir, "a.pem"), []byte(pemData), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.cer"), readNCA(t, caFile), 0o644); err != nil {
		t.Fatal(err)
	}
	certs, err := LoadCertificates(dir)
	if err != nil || len(certs) != 2 || !certs[0].Equal(root) {
		t.Fatalf("dir: %v %d", err, len(certs))
	}
	if err := os.WriteFile(filepath.Join(dir, "junk.txt"), []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCertificates(dir); err == nil {
		t.Fatal("junk file accepted")
	}
	if _, err := LoadCertificates(t.TempDir()); !errors.Is(err, ErrNoCertificates) {
		t.Fatalf("empty dir: %v", err)
	}
}
