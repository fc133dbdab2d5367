package streams_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/streams"
)

// startJS runs a real nats-server in the test process, on a random
// loopback port with its store in a temp dir.
func startJS(t *testing.T) jetstream.JetStream {
	t.Helper()
	emb, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: t.TempDir(), Durability: broker.Durability{SyncInterval: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	nc, js, err := broker.Connect(emb.URL(), "streams-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return js
}

func TestProvisionLayout(t *testing.T) {
	ctx := context.Background()
	js := startJS(t)
	cfg := streams.Config{Replicas: 1, DuplicateWindow: 17 * time.Minute, StatusMaxAge: 3 * time.Hour, JournalMaxAge: 5 * time.Hour}
	set, err := streams.Provision(ctx, js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		stream    jetstream.Stream
		name      string
		subject   string
		retention jetstream.RetentionPolicy
		maxAge    time.Duration
		dupWindow time.Duration
		compress  jetstream.StoreCompression
	}{
		// Only submissions take the configured window; the others' consumers
		// are idempotent and need only cover a republish.
		// Submissions are kept until the workers purge them (limits).
		{set.Submissions, streams.Submissions, streams.SubmitPrefix + ">", jetstream.LimitsPolicy, 0, cfg.DuplicateWindow, jetstream.NoCompression},
		{set.Status, streams.Status, streams.StatusPrefix + ">", jetstream.LimitsPolicy, cfg.StatusMaxAge, streams.RepublishWindow, jetstream.NoCompression},
		{set.DLQ, streams.DLQ, streams.DLQPrefix + ">", jetstream.LimitsPolicy, 0, streams.RepublishWindow, jetstream.NoCompression},
		// The journal keeps years of XML: compressed, with an age limit.
		{set.Journal, streams.Journal, streams.JournalPrefix + ">", jetstream.LimitsPolicy, cfg.JournalMaxAge, streams.RepublishWindow, jetstream.S2Compression},
		// The filed ids are kept for good: they guard against filing twice.
		{set.Filed, streams.Filed, streams.FiledPrefix + ">", jetstream.LimitsPolicy, 0, streams.RepublishWindow, jetstream.NoCompression},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := tc.stream.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			c := info.Config
			if c.Name != tc.name {
				t.Errorf("name %q, want %q", c.Name, tc.name)
			}
			if len(c.Subjects) != 1 || c.Subjects[0] != tc.subject {
				t.Errorf("subjects %v, want [%s]", c.Subjects, tc.subject)
			}
			if c.Storage != jetstream.FileStorage {
				t.Errorf("storage %v, want file", c.Storage)
			}
			if c.Duplicates != tc.dupWindow {
				t.Errorf("duplicate window %v, want %v", c.Duplicates, tc.dupWindow)
			}
			if c.Retention != tc.retention {
				t.Errorf("retention %v, want %v", c.Retention, tc.retention)
			}
			if c.MaxAge != tc.maxAge {
				t.Errorf("max age %v, want %v", c.MaxAge, tc.maxAge)
			}
			if c.Replicas != 1 {
				t.Errorf("replicas %d, want 1", c.Replicas)
			}
			if c.Compression != tc.compress {
				t.Errorf("compression %v, want %v", c.Compression, tc.compress)
			}
		})
	}
	buckets := []struct {
		kv   jetstream.KeyValue
		name string
		ttl  time.Duration
	}{
		{set.State, streams.BucketState, 0},
		{set.Rate, streams.BucketRate, time.Minute},
		{set.Leases, streams.BucketLeases, 0},
	}
	for _, b := range buckets {
		t.Run(b.name, func(t *testing.T) {
			st, err := b.kv.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Bucket() != b.name {
				t.Errorf("bucket %q, want %q", st.Bucket(), b.name)
			}
			if st.TTL() != b.ttl {
				t.Errorf("TTL %v, want %v", st.TTL(), b.ttl)
			}
			si := st.(*jetstream.KeyValueBucketStatus).StreamInfo()
			if si.Config.Storage != jetstream.FileStorage {
				t.Errorf("storage %v, want file", si.Config.Storage)
			}
			// Only the state bucket's records carry their own TTL, and
			// no delete markers are written when they expire.
			if want := b.name == streams.BucketState; si.Config.AllowMsgTTL != want || si.Config.SubjectDeleteMarkerTTL != 0 {
				t.Errorf("per-message TTL %v, markers %v; want %v, none", si.Config.AllowMsgTTL, si.Config.SubjectDeleteMarkerTTL, want)
			}
		})
	}
}

// TestProvisionIdempotent provisions twice: same configuration, no error,
// and what the streams hold survives.
func TestProvisionIdempotent(t *testing.T) {
	ctx := context.Background()
	js := startJS(t)
	cfg := streams.Config{DuplicateWindow: 5 * time.Minute}
	first, err := streams.Provision(ctx, js, cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := nats.NewMsg(streams.SubmitPrefix + "abc")
	m.Data = []byte("<fno/>")
	m.Header.Set(jetstream.MsgIDHeader, "abc")
	if _, err := js.PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := first.State.Put(ctx, "abc", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	before := configs(t, first)

	second, err := streams.Provision(ctx, js, cfg)
	if err != nil {
		t.Fatalf("second provision: %v", err)
	}
	after := configs(t, second)
	for name, c := range before {
		a := after[name]
		if a.Storage != c.Storage || a.Duplicates != c.Duplicates || a.Retention != c.Retention ||
			a.MaxAge != c.MaxAge || a.Replicas != c.Replicas || a.Subjects[0] != c.Subjects[0] {
			t.Errorf("%s changed: %+v → %+v", name, c, a)
		}
	}
	info, err := second.Submissions.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Errorf("submissions hold %d messages after re-provisioning, want 1", info.State.Msgs)
	}
	if _, err := second.State.Get(ctx, "abc"); err != nil {
		t.Errorf("state bucket lost its key: %v", err)
	}
	// The duplicate window still drops a republished id.
	ack, err := js.PublishMsg(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if !ack.Duplicate {
		t.Error("a republished Nats-Msg-Id within the window was stored again")
	}
}

// TestProvisionDefaults: a zero Config gets the documented defaults.
func TestProvisionDefaults(t *testing.T) {
	ctx := context.Background()
	js := startJS(t)
	set, err := streams.Provision(ctx, js, streams.Config{})
	if err != nil {
		t.Fatal(err)
	}
	def := streams.DefaultConfig()
	for _, s := range []jetstream.Stream{set.Submissions, set.Status, set.DLQ} {
		info, err := s.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := streams.RepublishWindow
		if s == set.Submissions {
			want = def.DuplicateWindow
		}
		if info.Config.Duplicates != want || info.Config.Replicas != def.Replicas {
			t.Errorf("%s: duplicates %v replicas %d, want %v and %d", info.Config.Name,
				info.Config.Duplicates, info.Config.Replicas, want, def.Replicas)
		}
	}
	info, err := set.Status.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.MaxAge != def.StatusMaxAge {
		t.Errorf("status max age %v, want %v", info.Config.MaxAge, def.StatusMaxAge)
	}
	if info, err = set.Journal.Info(ctx); err != nil {
		t.Fatal(err)
	}
	if info.Config.MaxAge != 5*365*24*time.Hour || def.JournalMaxAge != info.Config.MaxAge {
		t.Errorf("journal max age %v (default %v), want five years", info.Config.MaxAge, def.JournalMaxAge)
	}
}

func configs(t *testing.T, set *streams.Set) map[string]jetstream.StreamConfig {
	t.Helper()
	out := map[string]jetstream.StreamConfig{}
	for _, s := range []jetstream.Stream{set.Submissions, set.Status, set.DLQ, set.Journal} {
		info, err := s.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out[info.Config.Name] = info.Config
	}
	return out
}
