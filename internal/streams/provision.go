package streams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// JournalMaxAge is how long exchanges with the gateway are kept in
	// the journal; default DefaultJournalMaxAge.
	JournalMaxAge time.Duration
	// Reconfigure lets Provision change an existing stream or bucket to
	// this configuration. Without it a difference is only logged: the
	// layout is the operators' decision, and a service started with a
	// forgotten SALYQ_REPLICAS must not turn a cluster's R3 streams into
	// R1.
	Reconfigure bool
	// Log receives the differences found; nil discards them.
	Log *slog.Logger
}

// DefaultConfig is the single-machine default.
func DefaultConfig() Config {
	return Config{Replicas: 1, DuplicateWindow: DefaultDuplicateWindow, StatusMaxAge: 30 * 24 * time.Hour,
		JournalMaxAge: DefaultJournalMaxAge}
}

// DefaultJournalMaxAge keeps exchanges with the gateway five years (of
// 365 days), the span in which a tax return can be audited and disputed.
const DefaultJournalMaxAge = 5 * 365 * 24 * time.Hour

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
	Submissions, Status, DLQ, Journal, Filed jetstream.Stream
	// Audit records what operators did from the dashboard.
	Audit               jetstream.Stream
	State, Rate, Leases jetstream.KeyValue

	// Drift lists the differences between the existing layout and the
	// configuration that Provision found and left in place (no
	// Reconfigure).
	Drift []Diff
}

// withDefaults fills the zero fields of cfg.
func (cfg Config) withDefaults() Config {
	def := DefaultConfig()
	if cfg.Replicas <= 0 {
		cfg.Replicas = def.Replicas
	}
	if cfg.DuplicateWindow <= 0 {
		cfg.DuplicateWindow = def.DuplicateWindow
	}
	if cfg.StatusMaxAge <= 0 {
		cfg.StatusMaxAge = def.StatusMaxAge
	}
	if cfg.JournalMaxAge <= 0 {
		cfg.JournalMaxAge = def.JournalMaxAge
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// Provision creates every missing stream and bucket. An existing one that
// differs from cfg is left as it is and the difference logged at WARN
// (and kept in Set.Drift), unless cfg.Reconfigure is set: then it is
// changed, also with a WARN. A stream an earlier version made and this
// one no longer uses (SALYQ_RECEIPTS) is reported the same way, and
// deleted under Reconfigure. Running it again with the
// same config changes nothing. Provision is one attempt; services retry it while the
// cluster is not ready (broker.Retry).
func Provision(ctx context.Context, js jetstream.JetStream, cfg Config) (*Set, error) {
	cfg = cfg.withDefaults()
	var set Set
	for _, s := range layout(cfg) {
		drift, err := provisionOne(ctx, js, cfg, s)
		if err != nil {
			return nil, err
		}
		set.Drift = append(set.Drift, drift...)
		if err := s.bind(ctx, js, &set); err != nil {
			return nil, fmt.Errorf("%w: %s %s: %w", ErrProvision, s.kind(), s.name, err)
		}
	}
	drift, err := retire(ctx, js, cfg)
	if err != nil {
		return nil, err
	}
	set.Drift = append(set.Drift, drift...)
	return &set, nil
}

// provisionOne makes sure s exists and returns the differences it left.
func provisionOne(ctx context.Context, js jetstream.JetStream, cfg Config, s spec) ([]Diff, error) {
	// Two services starting together may both find the stream missing:
	// the second create then fails as "already in use" and the stream is
	// compared instead.
	for range 2 {
		st, err := js.Stream(ctx, s.streamName())
		if isNotFound(err) {
			if err := create(ctx, js, s); errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) || errors.Is(err, jetstream.ErrBucketExists) {
				continue
			} else if err != nil {
				return nil, fmt.Errorf("%w: %s %s: %w", ErrProvision, s.kind(), s.name, err)
			}
			cfg.Log.Info("JetStream layout: created", s.kind(), s.name, "replicas", s.want.Replicas)
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s %s: %w", ErrProvision, s.kind(), s.name, err)
		}
		have := st.CachedInfo().Config
		diffs := compare(s, have)
		if len(diffs) == 0 {
			return nil, nil
		}
		if !cfg.Reconfigure {
			for _, d := range diffs {
				msg := "JetStream layout differs from the configuration; not changed without --reconfigure"
				if d.Lowers {
					msg = "JetStream layout differs from the configuration; refusing to lower it without --reconfigure"
				}
				cfg.Log.Warn(msg, d.Kind, d.Name, "field", d.Field, "have", d.Have, "want", d.Want)
			}
			return diffs, nil
		}
		for _, d := range diffs {
			cfg.Log.Warn("JetStream layout: reconfiguring (--reconfigure)", d.Kind, d.Name, "field", d.Field, "from", d.Have, "to", d.Want)
		}
		if have.Retention == jetstream.WorkQueuePolicy && s.want.Retention != jetstream.WorkQueuePolicy {
			return nil, recreate(ctx, js, s, st, diffs)
		}
		if _, err := js.UpdateStream(ctx, apply(s, have)); err != nil {
			return nil, &ReconfigureError{Diffs: diffs, Err: err}
		}
		return nil, nil
	}
	return nil, fmt.Errorf("%w: %s %s: created and deleted concurrently", ErrProvision, s.kind(), s.name)
}

// recreate replaces the work queue st with s, which JetStream cannot do
// by an update; only an empty one, since its messages would go with it.
// The operator runs --reconfigure with the intake stopped and the queue
// drained (README, "Layout changes").
func recreate(ctx context.Context, js jetstream.JetStream, s spec, st jetstream.Stream, diffs []Diff) error {
	info, err := st.Info(ctx)
	if err != nil {
		return &ReconfigureError{Diffs: diffs, Err: err}
	}
	if n := info.State.Msgs; n > 0 {
		return &ReconfigureError{Diffs: diffs, Err: fmt.Errorf("%w: %d messages still in the work queue; stop the intake and let the workers drain it first", ErrNotEmpty, n)}
	}
	if err := js.DeleteStream(ctx, s.name); err != nil {
		return &ReconfigureError{Diffs: diffs, Err: err}
	}
	if err := create(ctx, js, s); err != nil {
		return &ReconfigureError{Diffs: diffs, Err: err}
	}
	return nil
}

// create makes s as configured.
func create(ctx context.Context, js jetstream.JetStream, s spec) error {
	if s.bucket {
		if _, err := js.CreateKeyValue(ctx, s.kvConfig()); err != nil || !s.want.AllowMsgTTL {
			return err
		}
		// KeyValueConfig turns per-message TTL on only with delete
		// markers (LimitMarkerTTL); the stream takes it without.
		st, err := js.Stream(ctx, s.streamName())
		if err != nil {
			return err
		}
		c := st.CachedInfo().Config
		c.AllowMsgTTL = true
		_, err = js.UpdateStream(ctx, c)
		return err
	}
	_, err := js.CreateStream(ctx, s.want)
	return err
}
