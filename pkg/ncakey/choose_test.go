package ncakey_test

import (
	"context"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/pkg/ncakey"
)

// TestChoose: the legal entity has a head's key (preferred) and a
// right-to-sign key; a check that refuses the head's (revoked, say) makes
// Choose take the other; refusing both returns the head's refusal.
func TestChoose(t *testing.T) {
	f := getFixture(t)
	sf := writeStore(t, f)
	ks, err := ncakey.OpenKeystore(sf.dir, ncakey.KeystoreOptions{Password: commonPW})
	if err != nil {
		t.Fatal(err)
	}
	bin, now := f.set.HeadSign.Identity().BIN, f.pki.Now()
	head, signer := f.set.HeadSign.Certificate(), sf.signer.Certificate()
	revoked := errors.New("revoked")
	refuse := func(certs ...*x509.Certificate) ncakey.CertCheck {
		return func(_ context.Context, cert *x509.Certificate, _ time.Time) error {
			for _, c := range certs {
				if c.Equal(cert) {
					return revoked
				}
			}
			return nil
		}
	}
	tests := []struct {
		name  string
		id    string
		check ncakey.CertCheck
		want  *x509.Certificate
		err   error
	}{
		{"no check: the best key", bin, nil, head, nil},
		{"everything accepted: the best key", bin, refuse(), head, nil},
		{"the best refused: the next", bin, refuse(head), signer, nil},
		{"every key refused: the best key's refusal", bin, refuse(head, signer), nil, revoked},
		{"no key at all: the keystore's error", ncatest.NewIIN(998), refuse(), nil, ncakey.ErrNoKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ncakey.Choose(context.Background(), ks, tc.check, tc.id, now)
			if tc.err != nil {
				wantErr(t, err, tc.err)
				var re *ncakey.RefusedError
				if errors.Is(tc.err, revoked) && (!errors.As(err, &re) || !re.Certificate.Equal(head)) {
					t.Errorf("error %v is not the head key's refusal", err)
				}
				return
			}
			if err != nil || !k.Certificate().Equal(tc.want) {
				t.Fatalf("got %v, %v; want %v", k, err, tc.want.Subject)
			}
		})
	}
}
