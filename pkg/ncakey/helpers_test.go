package ncakey_test

import (
	"crypto/rsa"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"

	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/pkg/ncakey"
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

// ncaTestdata is the NCA test material in the repository (testdata/nca).
func ncaTestdata(t testing.TB) string { return testenv.Path(t, "testdata", "nca") }

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
