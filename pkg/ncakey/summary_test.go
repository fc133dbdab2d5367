package ncakey_test

import (
	"context"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/pkg/ncakey"
)

// summaryStore writes a keystore of the given keys (file name → key) and
// one corrupt file, all with one password.
func summaryStore(t *testing.T, keys map[string]*ncatest.Issued) *ncakey.Keystore {
	t.Helper()
	dir := t.TempDir()
	for name, is := range keys {
		if err := is.WriteP12(filepath.Join(dir, name), "pw"); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "corrupt.p12"), []byte("not a container"), 0o600)
	ks, err := ncakey.OpenKeystore(dir, ncakey.KeystoreOptions{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func TestSummarize(t *testing.T) {
	f := getFixture(t)
	at := f.now
	issue := func(iin string, notBefore, notAfter time.Time) *ncatest.Issued {
		is, err := f.pki.Issue(ncatest.Request{Role: ncakey.RoleIndividual, IIN: iin, Key: f.reuseKey(), NotBefore: notBefore, NotAfter: notAfter})
		if err != nil {
			t.Fatal(err)
		}
		return is
	}
	soon := issue(ncatest.NewIIN(610), at.AddDate(-1, 0, 0), time.Date(2026, 6, 20, 19, 30, 0, 0, time.UTC)) // 21 June in Astana
	later := issue(ncatest.NewIIN(611), at.AddDate(-1, 0, 0), at.AddDate(0, 0, 29))
	future := issue(ncatest.NewIIN(612), at.AddDate(0, 1, 0), at.AddDate(1, 0, 0))
	ks := summaryStore(t, map[string]*ncatest.Issued{
		"a-individual.p12": f.set.IndividualSign,
		"b-auth.p12":       f.set.IndividualAuth,
		"c-expired.p12":    f.set.ExpiredSign,
		"d-head.p12":       f.set.HeadSign,
		"e-infosystem.p12": f.set.InfoSystem,
		"f-soon.p12":       soon,
		"g-later.p12":      later,
		"h-future.p12":     future,
	})
	revoked := f.set.HeadSign.Certificate()
	check := func(_ context.Context, c *x509.Certificate, _ time.Time) error {
		if c.Equal(revoked) {
			return errors.New("certificate revoked")
		}
		return nil
	}
	expiredOn := ncakey.AstanaDate(f.set.ExpiredSign.Certificate().NotAfter)

	for _, tc := range []struct {
		name              string
		within            time.Duration
		check             ncakey.CertCheck
		usable, taxpayers int
		refused           []string // file: reason prefix
		expiring          []string
	}{
		{"no check, 30 days", 30 * 24 * time.Hour, nil, 5, 4, // the information system's taxpayer is the head's BIN
			[]string{"c-expired.p12: expired on " + expiredOn, "corrupt.p12: not loaded: ", "h-future.p12: not valid until 2026-07-01"},
			[]string{"f-soon.p12: expires on 2026-06-21 (19 days)", "g-later.p12: expires on 2026-06-30 (29 days)"}},
		{"a week", 7 * 24 * time.Hour, nil, 5, 4,
			[]string{"c-expired.p12", "corrupt.p12", "h-future.p12"}, nil},
		{"the check refuses the head's key", 30 * 24 * time.Hour, check, 4, 4,
			[]string{"c-expired.p12", "corrupt.p12", "d-head.p12: refused: certificate ", "h-future.p12"},
			[]string{"f-soon.p12", "g-later.p12"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ks.Summarize(context.Background(), at, tc.within, tc.check)
			if s.Loaded != 8 || s.Usable != tc.usable || s.Taxpayers != tc.taxpayers || !s.At.Equal(at) {
				t.Errorf("loaded %d usable %d taxpayers %d, want 8 %d %d", s.Loaded, s.Usable, s.Taxpayers, tc.usable, tc.taxpayers)
			}
			match := func(what string, notes []ncakey.KeyNote, want []string) {
				if len(notes) != len(want) {
					t.Fatalf("%s: %v, want %q", what, notes, want)
				}
				for i, n := range notes {
					if got := n.File + ": " + n.Reason; !strings.HasPrefix(got, want[i]) {
						t.Errorf("%s[%d] = %q, want %q…", what, i, got, want[i])
					}
				}
			}
			match("refused", s.Refused, tc.refused)
			match("expiring", s.Expiring, tc.expiring)
			for _, n := range s.Refused {
				if n.Err == nil {
					t.Errorf("refused %s without an error", n.File)
				}
			}
		})
	}
}

// TestNoKeyReasons: the keystore says why a taxpayer's keys cannot sign,
// dates in Kazakhstan's time.
func TestNoKeyReasons(t *testing.T) {
	f := getFixture(t)
	iin, bin := f.set.IndividualSign.Identity().IIN, f.set.HeadSign.Identity().BIN
	isBIN := ncatest.NewBIN(620)
	onlyIS, err := f.pki.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem, BIN: isBIN, Key: f.reuseKey()})
	if err != nil {
		t.Fatal(err)
	}
	ks := summaryStore(t, map[string]*ncatest.Issued{
		"sign.p12": f.set.IndividualSign, "auth.p12": f.set.IndividualAuth, "expired.p12": f.set.ExpiredSign,
		"headauth.p12": f.set.HeadAuth, "is.p12": f.set.InfoSystem, "onlyis.p12": onlyIS,
	})
	ind := f.set.IndividualSign.Certificate()
	for _, tc := range []struct {
		name   string
		id     string
		at     time.Time
		reason error
		want   string
	}{
		{"expired: the latest expiry", iin, ind.NotAfter.Add(time.Hour), ncakey.ErrExpired,
			"key for taxpayer " + iin + " expired on " + ncakey.AstanaDate(ind.NotAfter)},
		{"not yet valid", iin, f.set.ExpiredSign.Certificate().NotBefore.Add(-time.Hour), ncakey.ErrNotYetValid,
			"key for taxpayer " + iin + " is not valid until " + ncakey.AstanaDate(f.set.ExpiredSign.Certificate().NotBefore)},
		{"only an AUTH key", bin, f.now, ncakey.ErrNotSigningKey,
			"key for taxpayer " + bin + " is an authentication (AUTH) key and may not sign"},
		{"only an information-system key", isBIN, f.now, ncakey.ErrWrongRole,
			"key for taxpayer " + isBIN + ` has role "information system", which may not sign here`},
		{"no key at all", ncatest.NewIIN(777), f.now, nil,
			"no signing key in the keystore for taxpayer " + ncatest.NewIIN(777)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ks.ForTaxpayer(tc.id, tc.at)
			var nk *ncakey.NoKeyError
			if !errors.As(err, &nk) || !errors.Is(err, ncakey.ErrNoKey) {
				t.Fatalf("err %v", err)
			}
			if tc.reason != nil && !errors.Is(err, tc.reason) {
				t.Errorf("err %v is not %v", err, tc.reason)
			}
			if nk.Explain() != tc.want {
				t.Errorf("Explain() = %q, want %q", nk.Explain(), tc.want)
			}
		})
	}
}
