package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
)

// TestAdminLeavesR3: on a real 3-node cluster provisioned at R3 with a
// 5-minute duplicate window, the admin commands — without the services'
// flags, or with other ones — and a service started without
// SALYQ_REPLICAS leave every stream and bucket at R3 with its window.
func TestAdminLeavesR3(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	for _, v := range []string{"SALYQ_REPLICAS", "SALYQ_DUP_WINDOW", "SALYQ_JOURNAL_MAX_AGE", "SALYQ_RECONFIGURE", "SALYQ_NATS"} {
		t.Setenv(v, "")
	}
	c := testkit.StartCluster(t, 3)
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	rt, err := Open(ctx, Config{NATS: c.URLs(), Data: t.TempDir(), Replicas: 3, DupWindow: 5 * time.Minute, StartTimeout: time.Minute}, quiet, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	before := layoutConfigs(t, rt.JS)
	for name, cfg := range before {
		if cfg.Replicas != 3 {
			t.Fatalf("%s provisioned at R%d, want R3", name, cfg.Replicas)
		}
	}
	if before[streams.Submissions].Duplicates != 5*time.Minute {
		t.Fatalf("window %v, want 5m", before[streams.Submissions].Duplicates)
	}

	// Admin commands have no layout flags; the services' environment
	// file, which an operator may well have loaded, changes nothing.
	t.Setenv("SALYQ_DUP_WINDOW", "7s")
	t.Setenv("SALYQ_REPLICAS", "1")
	t.Setenv("SALYQ_RECONFIGURE", "true")
	data := t.TempDir()
	for _, args := range [][]string{
		{"status", "--nats", c.URLs(), "--data", data},
		{"status", "--nats", c.URLs(), "--data", data, "--json"},
		{"dlq", "list", "--nats", c.URLs(), "--data", data},
		{"dlq", "replay", "--all", "--nats", c.URLs(), "--data", data},
		{"journal", "export", "--from", "2026-01-01", "--to", "2026-01-02", "--nats", c.URLs(), "--data", data, t.TempDir()},
	} {
		var out, errs bytes.Buffer
		if err := Main(ctx, args, IO{Out: &out, Err: &errs}); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errs.String())
		}
	}
	// submit --sign-locally opens the layout the same way before it
	// reads keys and forms; with no keys and no form it fails after that,
	// which is fine here.
	var out, errs bytes.Buffer
	_ = Main(ctx, []string{"submit", "--sign-locally", "--nats", c.URLs(), "--data", data, "--keys", t.TempDir(), data + "/none.xml"},
		IO{Out: &out, Err: &errs})

	// A service started with the defaults (R1, 2-minute window) and no
	// --reconfigure logs the difference and changes nothing either.
	svc, err := Open(ctx, Config{NATS: c.URLs(), Data: t.TempDir(), StartTimeout: time.Minute}, quiet, false)
	if err != nil {
		t.Fatal(err)
	}
	svc.Close()
	if len(svc.Streams.Drift) == 0 {
		t.Error("a service with other flags reported no difference")
	}

	after := layoutConfigs(t, rt.JS)
	for name, b := range before {
		a := after[name]
		if a.Replicas != b.Replicas || a.Duplicates != b.Duplicates || a.MaxAge != b.MaxAge {
			t.Errorf("%s changed: R%d window %v age %v → R%d window %v age %v", name,
				b.Replicas, b.Duplicates, b.MaxAge, a.Replicas, a.Duplicates, a.MaxAge)
		}
	}
}

// TestAdminCreatesNothing: an admin command against a server without
// salyq's layout says so and leaves the server empty.
func TestAdminCreatesNothing(t *testing.T) {
	emb := testkit.NATS(t)
	var out, errs bytes.Buffer
	err := Main(context.Background(), []string{"status", "--nats", emb.URL(), "--data", t.TempDir()}, IO{Out: &out, Err: &errs})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("start a salyq service first")) {
		t.Fatalf("status on an empty server: %v", err)
	}
	nc, js, err := broker.Connect(emb.URL(), "test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	names := js.StreamNames(context.Background())
	for n := range names.Name() {
		t.Errorf("an admin command created stream %s", n)
	}
}

// layoutConfigs reads the configuration of every stream (buckets as their
// KV_ streams).
func layoutConfigs(t *testing.T, js jetstream.JetStream) map[string]jetstream.StreamConfig {
	t.Helper()
	out := map[string]jetstream.StreamConfig{}
	for _, name := range []string{streams.Submissions, streams.Status, streams.DLQ, streams.Journal,
		"KV_" + streams.BucketState, "KV_" + streams.BucketRate, "KV_" + streams.BucketLeases} {
		s, err := js.Stream(context.Background(), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = s.CachedInfo().Config
	}
	return out
}
