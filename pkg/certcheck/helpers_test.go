package certcheck

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"
)

// ncaDir is the NCA test material in the repository (testdata/nca).
func ncaDir(t testing.TB) string { return testenv.Path(t, "testdata", "nca") }

func ncaFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(ncaDir(t), rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("NCA test data missing: %v", err)
	}
	return p
}

func readNCA(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(ncaFile(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ncaCert(t testing.TB, rel string) *x509.Certificate {
	t.Helper()
	certs, err := LoadCertificates(ncaFile(t, rel))
	if err != nil || len(certs) != 1 {
		t.Fatalf("%s: %v (%d certificates)", rel, err, len(certs))
	}
	return certs[0]
}

const (
	rootFile = "certs/root_test_gost_2022.cer"
	caFile   = "certs/nca_gost2022_test.cer"
	crlFile  = "crl/nca_gost2022_test_2026.crl"
)

var (
	// at lies inside the validity of every NCA test key but the newest
	// (legal_valid_employee_signright, from 2026-06-16).
	at = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	// crlNow lies between the real CRL's thisUpdate (2026-08-11) and
	// nextUpdate (2027-02-07).
	crlNow = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
)

// countingSource counts fetches and can serve changing bytes.
type countingSource struct {
	mu   sync.Mutex
	n    int
	name string
	data []byte
	err  error
}

func (s *countingSource) Fetch(context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.err != nil {
		return nil, s.err
	}
	return append([]byte(nil), s.data...), nil
}

func (s *countingSource) String() string { return s.name }

func (s *countingSource) set(data []byte, err error) {
	s.mu.Lock()
	s.data, s.err = data, err
	s.mu.Unlock()
}

func (s *countingSource) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// ncaChecker is a checker with the NCA test root and CA, and the real
// CRL from src (nil: revocation off).
func ncaChecker(t testing.TB, src Source, clock func() time.Time, policy Policy) *Checker {
	t.Helper()
	root, ca := ncaCert(t, rootFile), ncaCert(t, caFile)
	opts := Options{Roots: []*x509.Certificate{root}, Intermediates: []*x509.Certificate{ca}, Clock: clock, Policy: policy}
	if src != nil {
		opts.Revocation = []RevocationConfig{{Issuer: ca, CRL: src}}
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func b64Lines(der []byte) string {
	s := base64.StdEncoding.EncodeToString(der)
	var b strings.Builder
	for len(s) > 64 {
		b.WriteString(s[:64] + "\n")
		s = s[64:]
	}
	b.WriteString(s + "\n")
	return b.String()
}
