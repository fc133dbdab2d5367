package streams_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/streams"
)

// TestLookupEmpty: on a server without salyq's layout, Lookup names what
// is missing and creates nothing.
func TestLookupEmpty(t *testing.T) {
	ctx := context.Background()
	js := startJS(t)
	_, err := streams.Lookup(ctx, js)
	var nf *streams.NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, streams.ErrNotFound) {
		t.Fatalf("err = %v, want a NotFoundError", err)
	}
	if !strings.Contains(err.Error(), "start a salyq service first") {
		t.Errorf("error %q does not say what to do", err)
	}
	names := js.StreamNames(ctx)
	for n := range names.Name() {
		t.Errorf("Lookup created stream %s", n)
	}
	if names.Err() != nil {
		t.Fatal(names.Err())
	}
}

// TestLookupMissingBucket: the streams exist but one bucket does not.
func TestLookupMissingBucket(t *testing.T) {
	ctx := context.Background()
	js := startJS(t)
	if _, err := streams.Provision(ctx, js, streams.Config{}); err != nil {
		t.Fatal(err)
	}
	if err := js.DeleteKeyValue(ctx, streams.BucketLeases); err != nil {
		t.Fatal(err)
	}
	_, err := streams.Lookup(ctx, js)
	var nf *streams.NotFoundError
	if !errors.As(err, &nf) || nf.Name != streams.BucketLeases || nf.Kind != "bucket" {
		t.Fatalf("err = %v, want bucket %s not found", err, streams.BucketLeases)
	}
}

// TestLookupFindsAll: after provisioning, Lookup binds every stream and
// bucket.
func TestLookupFindsAll(t *testing.T) {
	ctx := context.Background()
	js := startJS(t)
	if _, err := streams.Provision(ctx, js, streams.Config{}); err != nil {
		t.Fatal(err)
	}
	set, err := streams.Lookup(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	if set.Submissions == nil || set.Status == nil || set.DLQ == nil || set.Journal == nil ||
		set.State == nil || set.Rate == nil || set.Leases == nil {
		t.Fatalf("Lookup left parts unset: %+v", set)
	}
	if _, err := set.Leases.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
}

// TestProvisionNeverLowers: a service started with a shorter window and
// max age than the existing layout changes nothing and reports the
// difference; only with Reconfigure does it apply it.
func TestProvisionNeverLowers(t *testing.T) {
	ctx := context.Background()
	js := startJS(t)
	long := streams.Config{DuplicateWindow: 10 * time.Minute, StatusMaxAge: 48 * time.Hour}
	if _, err := streams.Provision(ctx, js, long); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	short := streams.Config{DuplicateWindow: 5 * time.Second, StatusMaxAge: time.Hour,
		Log: slog.New(slog.NewTextHandler(&logs, nil))}
	set, err := streams.Provision(ctx, js, short)
	if err != nil {
		t.Fatal(err)
	}
	if got := streamConfig(t, js, streams.Submissions).Duplicates; got != long.DuplicateWindow {
		t.Errorf("submissions window %v after a shorter provision, want %v", got, long.DuplicateWindow)
	}
	if got := streamConfig(t, js, streams.Status).MaxAge; got != long.StatusMaxAge {
		t.Errorf("status max age %v after a shorter provision, want %v", got, long.StatusMaxAge)
	}
	want := map[string]streams.Diff{
		streams.Submissions + "/duplicate window": {Kind: "stream", Name: streams.Submissions, Field: "duplicate window", Have: "10m0s", Want: "5s", Lowers: true},
		streams.Status + "/max age":               {Kind: "stream", Name: streams.Status, Field: "max age", Have: "48h0m0s", Want: "1h0m0s", Lowers: true},
	}
	if len(set.Drift) != len(want) {
		t.Errorf("drift %v, want %d differences", set.Drift, len(want))
	}
	for _, d := range set.Drift {
		if w, ok := want[d.Name+"/"+d.Field]; !ok || w != d {
			t.Errorf("drift %+v, want %+v", d, w)
		}
	}
	out := logs.String()
	for _, s := range []string{"level=WARN", "refusing to lower", "field=\"duplicate window\"", "have=10m0s", "want=5s"} {
		if !strings.Contains(out, s) {
			t.Errorf("log lacks %q:\n%s", s, out)
		}
	}

	// A longer window is not applied silently either.
	longer := streams.Config{DuplicateWindow: time.Hour, StatusMaxAge: 48 * time.Hour}
	if set, err = streams.Provision(ctx, js, longer); err != nil {
		t.Fatal(err)
	}
	if got := streamConfig(t, js, streams.Submissions).Duplicates; got != long.DuplicateWindow || len(set.Drift) != 1 || set.Drift[0].Lowers {
		t.Errorf("a longer window: have %v, drift %v; want unchanged and one raising difference", got, set.Drift)
	}

	short.Reconfigure = true
	logs.Reset()
	if set, err = streams.Provision(ctx, js, short); err != nil {
		t.Fatal(err)
	}
	if len(set.Drift) != 0 {
		t.Errorf("drift after reconfiguring: %v", set.Drift)
	}
	if got := streamConfig(t, js, streams.Submissions).Duplicates; got != short.DuplicateWindow {
		t.Errorf("submissions window %v after --reconfigure, want %v", got, short.DuplicateWindow)
	}
	if got := streamConfig(t, js, streams.Status).MaxAge; got != short.StatusMaxAge {
		t.Errorf("status max age %v after --reconfigure, want %v", got, short.StatusMaxAge)
	}
	if !strings.Contains(logs.String(), "reconfiguring") {
		t.Errorf("reconfiguring was not logged:\n%s", logs.String())
	}
}

// TestProvisionKeepsOperatorSettings: reconfiguring changes only what
// salyq manages, not a limit an operator added.
func TestProvisionKeepsOperatorSettings(t *testing.T) {
	ctx := context.Background()
	js := startJS(t)
	if _, err := streams.Provision(ctx, js, streams.Config{}); err != nil {
		t.Fatal(err)
	}
	c := streamConfig(t, js, streams.DLQ)
	c.MaxBytes = 1 << 30
	if _, err := js.UpdateStream(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := streams.Provision(ctx, js, streams.Config{DuplicateWindow: time.Minute, Reconfigure: true}); err != nil {
		t.Fatal(err)
	}
	if got := streamConfig(t, js, streams.DLQ).MaxBytes; got != 1<<30 {
		t.Errorf("max bytes %d after reconfiguring, want the operator's %d", got, 1<<30)
	}
	if got := streamConfig(t, js, streams.Submissions).Duplicates; got != time.Minute {
		t.Errorf("window %v, want 1m", got)
	}
}

// TestProvisionJournal: the journal's age is never shortened without
// Reconfigure, and a journal made without compression is reported, and
// compressed with Reconfigure.
func TestProvisionJournal(t *testing.T) {
	ctx := context.Background()
	js := startJS(t)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: streams.Journal, Subjects: []string{streams.JournalPrefix + ">"},
		Storage: jetstream.FileStorage, MaxAge: 10 * time.Hour, Duplicates: streams.RepublishWindow}); err != nil {
		t.Fatal(err)
	}
	cfg := streams.Config{JournalMaxAge: time.Hour}
	set, err := streams.Provision(ctx, js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]streams.Diff{}
	for _, d := range set.Drift {
		fields[d.Field] = d
	}
	if d := fields["max age"]; !d.Lowers || d.Name != streams.Journal {
		t.Errorf("max age difference %+v, want one that lowers the journal", d)
	}
	if d := fields["compression"]; d.Have != "None" || d.Want != "S2" {
		t.Errorf("compression difference %+v, want none → s2", d)
	}
	if c := streamConfig(t, js, streams.Journal); c.MaxAge != 10*time.Hour || c.Compression != jetstream.NoCompression {
		t.Errorf("journal changed without --reconfigure: age %v compression %v", c.MaxAge, c.Compression)
	}
	cfg.Reconfigure = true
	if _, err := streams.Provision(ctx, js, cfg); err != nil {
		t.Fatal(err)
	}
	if c := streamConfig(t, js, streams.Journal); c.MaxAge != time.Hour || c.Compression != jetstream.S2Compression {
		t.Errorf("journal after --reconfigure: age %v compression %v, want 1h and s2", c.MaxAge, c.Compression)
	}
}

func streamConfig(t *testing.T, js jetstream.JetStream, name string) jetstream.StreamConfig {
	t.Helper()
	s, err := js.Stream(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return s.CachedInfo().Config
}

// TestProvisionPerKeyTTL: a state bucket made before retention existed
// has no per-key TTL; Provision reports it and turns it on only with
// Reconfigure.
func TestProvisionPerKeyTTL(t *testing.T) {
	ctx := context.Background()
	js := startJS(t)
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: streams.BucketState, Storage: jetstream.FileStorage, History: 1}); err != nil {
		t.Fatal(err)
	}
	set, err := streams.Provision(ctx, js, streams.Config{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range set.Drift {
		found = found || (d.Name == streams.BucketState && d.Field == "per-key TTL" && !d.Lowers)
	}
	if !found {
		t.Fatalf("drift %v: want the state bucket's per-key TTL", set.Drift)
	}
	if _, err := streams.Provision(ctx, js, streams.Config{Reconfigure: true}); err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, "KV_"+streams.BucketState)
	if err != nil {
		t.Fatal(err)
	}
	if !st.CachedInfo().Config.AllowMsgTTL {
		t.Fatal("per-key TTL still off after --reconfigure")
	}
}
