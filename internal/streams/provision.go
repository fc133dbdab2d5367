package streams

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Config is the JetStream layout configuration.
type Config struct {
	// Replicas of every stream and bucket: 1 on one machine, 3 on a
	// cluster.
	Replicas int
	// DuplicateWindow is how long JetStream remembers the Nats-Msg-Id of
	// a submission. A form submitted again within it is dropped by
	// JetStream; after it, the intake finds the submission on the board
	// and the delivery journal refuses to send it twice. The window only
	// has to cover concurrent and retried publishes of one form; JetStream
	// keeps every id of the window in memory, so a long one costs memory
	// in proportion to the batch.
	DuplicateWindow time.Duration
	// StatusMaxAge is how long status events are kept for subscribers.
	StatusMaxAge time.Duration
}

// DefaultConfig is the single-machine default.
func DefaultConfig() Config {
	return Config{Replicas: 1, DuplicateWindow: DefaultDuplicateWindow, StatusMaxAge: 30 * 24 * time.Hour}
}

// DefaultDuplicateWindow is the duplicate window of submissions.
const DefaultDuplicateWindow = 2 * time.Minute

// RepublishWindow is the fixed duplicate window of receipts, status events
// and dead letters, whose consumers are idempotent: it only has to catch a
// client's republish after a lost acknowledgement, which comes within
// seconds. JetStream holds every id of a window in memory, and these
// streams take several messages per form.
const RepublishWindow = 30 * time.Second

// Set is the provisioned layout.
type Set struct {
	Submissions, Receipts, Status, DLQ jetstream.Stream
	State, Rate                        jetstream.KeyValue
	// Leases holds the lease that makes one poller of several the active
	// one.
	Leases jetstream.KeyValue
}

// Provision creates or updates every stream and bucket; running it again
// with the same config changes nothing.
func Provision(ctx context.Context, js jetstream.JetStream, cfg Config) (*Set, error) {
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	def := DefaultConfig()
	if cfg.DuplicateWindow <= 0 {
		cfg.DuplicateWindow = def.DuplicateWindow
	}
	if cfg.StatusMaxAge <= 0 {
		cfg.StatusMaxAge = def.StatusMaxAge
	}
	stream := func(name, prefix string, retention jetstream.RetentionPolicy, maxAge, dupWindow time.Duration) (jetstream.Stream, error) {
		s, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
			Name:       name,
			Subjects:   []string{prefix + ">"},
			Retention:  retention,
			Storage:    jetstream.FileStorage,
			Replicas:   cfg.Replicas,
			Duplicates: dupWindow,
			MaxAge:     maxAge,
		})
		if err != nil {
			return nil, fmt.Errorf("%w: stream %s: %w", ErrProvision, name, err)
		}
		return s, nil
	}
	bucket := func(name string, ttl time.Duration, history uint8) (jetstream.KeyValue, error) {
		kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket:   name,
			Storage:  jetstream.FileStorage,
			Replicas: cfg.Replicas,
			TTL:      ttl,
			History:  history,
		})
		if err != nil {
			return nil, fmt.Errorf("%w: bucket %s: %w", ErrProvision, name, err)
		}
		return kv, nil
	}
	var set Set
	var err error
	if set.Submissions, err = stream(Submissions, SubmitPrefix, jetstream.WorkQueuePolicy, 0, cfg.DuplicateWindow); err != nil {
		return nil, err
	}
	if set.Receipts, err = stream(Receipts, ReceiptPrefix, jetstream.WorkQueuePolicy, 0, RepublishWindow); err != nil {
		return nil, err
	}
	if set.Status, err = stream(Status, StatusPrefix, jetstream.LimitsPolicy, cfg.StatusMaxAge, RepublishWindow); err != nil {
		return nil, err
	}
	if set.DLQ, err = stream(DLQ, DLQPrefix, jetstream.LimitsPolicy, 0, RepublishWindow); err != nil {
		return nil, err
	}
	if set.State, err = bucket(BucketState, 0, 1); err != nil {
		return nil, err
	}
	if set.Rate, err = bucket(BucketRate, time.Minute, 1); err != nil {
		return nil, err
	}
	if set.Leases, err = bucket(BucketLeases, 0, 1); err != nil {
		return nil, err
	}
	return &set, nil
}
