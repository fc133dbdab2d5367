package app

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/ncakey"
)

func TestUsage(t *testing.T) {
	var out, errs bytes.Buffer
	if err := Main(context.Background(), nil, IO{Out: &out, Err: &errs}); !errors.Is(err, ErrUsage) || !strings.Contains(errs.String(), "demo ") {
		t.Fatalf("no command: %v\n%s", err, errs.String())
	}
	if err := Main(context.Background(), []string{"frobnicate"}, IO{Out: &out, Err: &errs}); !errors.Is(err, ErrUsage) {
		t.Fatalf("unknown command: %v", err)
	}
	if err := Main(context.Background(), []string{"status", "--data", t.TempDir()}, IO{Out: &out, Err: &errs}); err == nil {
		t.Fatal("status without a running salyq succeeded")
	}
}

// TestKeysInspect reports a real NCA key, revoked per NCA's CRL.
func TestKeysInspect(t *testing.T) {
	nca := testenv.Path(t, "testdata", "nca")
	t.Setenv("SALYQ_KEYS_PASSWORD", "Qwerty12")
	args := []string{"keys", "inspect", "--trust", filepath.Join(nca, "certs"), "--crl", filepath.Join(nca, "crl", "nca_gost2022_test_2026.crl"), "--at", "2026-07-01T00:00:00Z"}
	var out, errs bytes.Buffer
	if err := Main(context.Background(), append(args, filepath.Join(nca, "p12", "legal_valid_head.p12")), IO{Out: &out, Err: &errs}); err != nil {
		t.Fatalf("valid key: %v\n%s", err, out.String())
	}
	for _, want := range []string{"BIN123456789021", "GOST 2015-512", "Revocation:  good"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := Main(context.Background(), append(args, filepath.Join(nca, "p12", "legal_revoked_head.p12")), IO{Out: &out, Err: &errs}); err == nil || !strings.Contains(out.String(), "REFUSED") {
		t.Fatalf("revoked key: %v\n%s", err, out.String())
	}
}

// TestKeysInspectRefusesWithoutTrust: a key that cannot sign at the time
// asked is refused, exit non-zero, with or without trust anchors; a usable
// one without anchors says that the chain was not checked.
func TestKeysInspectRefusesWithoutTrust(t *testing.T) {
	key := testenv.Path(t, "testdata", "nca", "p12", "legal_valid_head.p12")
	t.Setenv("SALYQ_KEYS_PASSWORD", "Qwerty12")
	for _, tc := range []struct {
		at   string
		ok   bool
		want string
	}{
		{"2026-07-01T00:00:00Z", true, "chain and revocation not checked"},
		{"2030-01-01T00:00:00Z", false, "certificate expired: valid until 2027-05-08 12:10:15+05:00"},
		{"2020-01-01T00:00:00Z", false, "certificate not yet valid"},
	} {
		var out, errs bytes.Buffer
		err := Main(context.Background(), []string{"keys", "inspect", key, "--at", tc.at}, IO{Out: &out, Err: &errs})
		if (err == nil) != tc.ok || !strings.Contains(out.String(), tc.want) {
			t.Errorf("at %s: %v\n%s", tc.at, err, out.String())
		}
		if !tc.ok && ExitCode(err) != ExitError {
			t.Errorf("at %s: exit %d", tc.at, ExitCode(err))
		}
	}
}

// TestKeysInspectInfoSystem: NCA's information-system certificate (no IIN,
// the system's name in CN, the organisation's BIN) inspects as one.
func TestKeysInspectInfoSystem(t *testing.T) {
	pki, err := ncatest.New(ncatest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, gost := range []bool{false, true} {
		is, err := pki.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem, Usage: ncakey.UsageSign | ncakey.UsageAuth, BIN: ncakey.TestBIN, Name: "SALYQ ERP", GOST: gost})
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "transport.p12")
		if err := is.WriteP12(file, "pw"); err != nil {
			t.Fatal(err)
		}
		t.Setenv("SALYQ_KEYS_PASSWORD", "pw")
		var out, errs bytes.Buffer
		if err := Main(context.Background(), []string{"keys", "inspect", file}, IO{Out: &out, Err: &errs}); err != nil {
			t.Fatalf("GOST %v: %v\n%s", gost, err, out.String())
		}
		for _, want := range []string{"Role:        information system", "BIN:         " + ncakey.TestBIN, "Name:        SALYQ ERP"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("GOST %v: no %q in\n%s", gost, want, out.String())
			}
		}
	}
}
