package intake_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
)

// TestRefusedForExpiredKey: a form whose taxpayer's only key has expired
// is refused for that, with the date in Kazakhstan's time (the key ran
// out at 20:00 UTC on 28 February, which is 1 March in Astana), through
// Submit and through the HTTP API (422).
func TestRefusedForExpiredKey(t *testing.T) {
	k := mustKeys(t)
	taxpayer := ncatest.NewIIN(4343)
	expired, err := k.pki.Issue(ncatest.Request{Role: ncakey.RoleIndividual, Usage: ncakey.UsageSign, IIN: taxpayer, Key: k.taxpayer.PrivateKey(),
		NotBefore: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2026, 2, 28, 20, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := expired.WriteP12(filepath.Join(dir, "expired.p12"), "pw"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ncakey.PasswordsFile), []byte("expired.p12 pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ks, err := ncakey.OpenKeystore(dir, ncakey.KeystoreOptions{})
	if err != nil || len(ks.Problems()) > 0 {
		t.Fatalf("keystore: %v %v", err, ks.Problems())
	}
	ts, err := envelope.LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	js, set := testkit.JetStream(t)
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	in := intake.New(intake.Config{JS: js, Board: board.New(js, set), Keys: ks, Templates: ts, Clock: func() time.Time { return now }})

	form := good(t)
	form.taxpayer = taxpayer
	const want = "key for taxpayer 900101343437 expired on 2026-03-01"
	if taxpayer != "900101343437" {
		t.Fatalf("NewIIN(4343) = %s: fix want", taxpayer)
	}
	_, err = in.Submit(ctx, form.build())
	if !errors.Is(err, ncakey.ErrNoKey) || !errors.Is(err, ncakey.ErrExpired) {
		t.Fatalf("err %v, want a refusal for an expired key", err)
	}
	if ref := intake.RefusalOf(err); ref.Field != "iin" || ref.Reason != want {
		t.Errorf("refusal %+v, want reason %q", ref, want)
	}
	if got := intake.RefusalReason(err); got != "key" {
		t.Errorf("metric reason %q", got)
	}

	hs := httptest.NewServer(in.Handler())
	t.Cleanup(hs.Close)
	resp, body := request(t, http.DefaultClient, http.MethodPost, hs.URL+"/v1/forms", "", form.build())
	var ref intake.Refusal
	if resp.StatusCode != http.StatusUnprocessableEntity || json.Unmarshal(body, &ref) != nil || ref.Reason != want {
		t.Errorf("POST: %d %s", resp.StatusCode, body)
	}
}
