package streams

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// spec is one stream or bucket of the layout: what it should look like
// and where it goes in a Set. Provision and Lookup both walk the table, so
// a new bucket is one line in layout.
type spec struct {
	// name is the stream's or the bucket's name.
	name string
	// bucket marks a key-value bucket; its stream is "KV_" + name.
	bucket bool
	// want holds the fields salyq manages (compare lists which).
	want jetstream.StreamConfig
	// bind stores the looked-up stream or bucket in a Set.
	bind func(ctx context.Context, js jetstream.JetStream, set *Set) error
}

// streamName is the JetStream stream behind the spec.
func (s spec) streamName() string {
	if s.bucket {
		return "KV_" + s.name
	}
	return s.name
}

// kind names the spec in messages.
func (s spec) kind() string {
	if s.bucket {
		return "bucket"
	}
	return "stream"
}

// kvConfig is the bucket configuration that creates the spec's bucket.
func (s spec) kvConfig() jetstream.KeyValueConfig {
	return jetstream.KeyValueConfig{
		Bucket:   s.name,
		Storage:  s.want.Storage,
		Replicas: s.want.Replicas,
		TTL:      s.want.MaxAge,
		History:  uint8(s.want.MaxMsgsPerSubject),
	}
}

// layout is every stream and bucket salyq keeps, configured by cfg (with
// defaults applied).
func layout(cfg Config) []spec {
	return []spec{
		// Limits, not a work queue: the workers purge what they are done
		// with (delivery's compact), one write where a work queue
		// writes a tombstone per acknowledgement.
		streamSpec(cfg, Submissions, SubmitPrefix, jetstream.LimitsPolicy, 0, cfg.DuplicateWindow, func(s *Set) *jetstream.Stream { return &s.Submissions }),
		streamSpec(cfg, Status, StatusPrefix, jetstream.LimitsPolicy, cfg.StatusMaxAge, RepublishWindow, func(s *Set) *jetstream.Stream { return &s.Status }),
		streamSpec(cfg, DLQ, DLQPrefix, jetstream.LimitsPolicy, 0, RepublishWindow, func(s *Set) *jetstream.Stream { return &s.DLQ }),
		compressed(streamSpec(cfg, Journal, JournalPrefix, jetstream.LimitsPolicy, cfg.JournalMaxAge, RepublishWindow, func(s *Set) *jetstream.Stream { return &s.Journal })),
		// Kept for good: a few records a quarter, each a deliberate act.
		streamSpec(cfg, Audit, AuditPrefix, jetstream.LimitsPolicy, 0, RepublishWindow, func(s *Set) *jetstream.Stream { return &s.Audit }),
		streamSpec(cfg, Filed, FiledPrefix, jetstream.LimitsPolicy, 0, RepublishWindow, func(s *Set) *jetstream.Stream { return &s.Filed }),
		perKeyTTL(bucketSpec(cfg, BucketState, 0, 1, func(s *Set) *jetstream.KeyValue { return &s.State })),
		bucketSpec(cfg, BucketRate, time.Minute, 1, func(s *Set) *jetstream.KeyValue { return &s.Rate }),
		bucketSpec(cfg, BucketLeases, 0, 1, func(s *Set) *jetstream.KeyValue { return &s.Leases }),
	}
}

func streamSpec(cfg Config, name, prefix string, retention jetstream.RetentionPolicy, maxAge, dupWindow time.Duration, field func(*Set) *jetstream.Stream) spec {
	return spec{
		name: name,
		want: jetstream.StreamConfig{
			Name:       name,
			Subjects:   []string{prefix + ">"},
			Retention:  retention,
			Storage:    jetstream.FileStorage,
			Replicas:   cfg.Replicas,
			Duplicates: dupWindow,
			MaxAge:     maxAge,
		},
		bind: func(ctx context.Context, js jetstream.JetStream, set *Set) error {
			s, err := js.Stream(ctx, name)
			if err != nil {
				return err
			}
			*field(set) = s
			return nil
		},
	}
}

// compressed stores s's messages S2-compressed: the journal keeps years
// of XML, which compresses several times over.
func compressed(s spec) spec {
	s.want.Compression = jetstream.S2Compression
	return s
}

// perKeyTTL lets the bucket's records carry their own TTL (Nats-TTL):
// records of finished submissions expire after the retention
// (board.WithRetention), the others stay. No delete markers: nobody
// watches for the expiry, and a marker would be one more write.
func perKeyTTL(s spec) spec {
	s.want.AllowMsgTTL = true
	return s
}

func bucketSpec(cfg Config, name string, ttl time.Duration, history int64, field func(*Set) *jetstream.KeyValue) spec {
	return spec{
		name:   name,
		bucket: true,
		want: jetstream.StreamConfig{
			Storage:           jetstream.FileStorage,
			Replicas:          cfg.Replicas,
			MaxAge:            ttl,
			MaxMsgsPerSubject: history,
		},
		bind: func(ctx context.Context, js jetstream.JetStream, set *Set) error {
			kv, err := js.KeyValue(ctx, name)
			if err != nil {
				return err
			}
			*field(set) = kv
			return nil
		},
	}
}
