package ncakey_test

import (
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/ncakey/ncatest"
)

// fixture is the test PKI shared by all tests of the package: RSA-2048
// key generation costs up to a few hundred milliseconds per key, so the
// keys are made once.
type fixture struct {
	pki *ncatest.PKI
	set *ncatest.Set
	now time.Time
}

var sharedFixture = sync.OnceValues(func() (*fixture, error) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	p, err := ncatest.New(ncatest.Options{Now: now})
	if err != nil {
		return nil, err
	}
	set, err := p.IssueSet()
	if err != nil {
		return nil, err
	}
	return &fixture{pki: p, set: set, now: now}, nil
})

func getFixture(t testing.TB) *fixture {
	t.Helper()
	f, err := sharedFixture()
	if err != nil {
		t.Fatalf("test PKI: %v", err)
	}
	return f
}

// reuseKey is a key for certificates whose key does not matter, so that
// identity tests need no key generation.
func (f *fixture) reuseKey() *rsa.PrivateKey { return f.set.HeadAuth.PrivateKey() }

// sharedTestdata finds /…/shared/testdata beside the module root: the
// directory holding go.mod, walking up from the package directory.
func sharedTestdata(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
	td := filepath.Join(dir, "..", "shared", "testdata")
	if _, err := os.Stat(td); err != nil {
		t.Fatalf("shared test data missing: %v", err)
	}
	return td
}

func wantErr(t testing.TB, err error, targets ...error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", targets)
	}
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Fatalf("error %q is not %q", err, target)
		}
	}
}

// roundTrip loads a PKI-issued key back from its PKCS#12 encoding, the way
// production code gets it.
func roundTrip(t testing.TB, is *ncatest.Issued, password string) *ncakey.Key {
	t.Helper()
	data, err := is.P12(password)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ncakey.Parse(data, password)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return k
}
