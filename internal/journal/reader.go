package journal

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
)

// Reader reads records back from SALYQ_JOURNAL. It only reads: it makes
// a short-lived ephemeral consumer per read and never touches the
// stream's configuration.
type Reader struct {
	js jetstream.JetStream
	// skew is how far a record's time may be from the time JetStream
	// stored it: the request's latency plus the clock difference between
	// the machine that sent it and the server.
	skew time.Duration
}

// DefaultSkew is the default slack between a record's time and its
// storage time that Range allows for.
const DefaultSkew = 10 * time.Minute

// NewReader returns a reader through js.
func NewReader(js jetstream.JetStream) *Reader { return &Reader{js: js, skew: DefaultSkew} }

// BySubmission returns the exchanges of submission id of taxpayer, in
// time order, or ErrNotFound.
func (r *Reader) BySubmission(ctx context.Context, taxpayer, id string) ([]Record, error) {
	cfg := jetstream.ConsumerConfig{FilterSubject: streams.JournalSubject(taxpayer), DeliverPolicy: jetstream.DeliverAllPolicy}
	var out []Record
	err := r.scan(ctx, cfg, func(msg jetstream.Msg) (bool, error) {
		if msg.Headers().Get(streams.HeaderID) != id {
			return true, nil
		}
		rec, err := decode(msg)
		if err != nil {
			return false, err
		}
		out = append(out, rec)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w for %s", ErrNotFound, id)
	}
	sortByTime(out)
	return out, nil
}

// Range returns the exchanges whose time is in [from, to), in time order.
func (r *Reader) Range(ctx context.Context, from, to time.Time) ([]Record, error) {
	cfg := jetstream.ConsumerConfig{FilterSubject: streams.JournalPrefix + ">", DeliverPolicy: jetstream.DeliverByStartTimePolicy}
	start := from.Add(-r.skew)
	cfg.OptStartTime = &start
	end := to.Add(r.skew)
	var out []Record
	err := r.scan(ctx, cfg, func(msg jetstream.Msg) (bool, error) {
		if md, err := msg.Metadata(); err == nil && md.Timestamp.After(end) {
			return false, nil
		}
		rec, err := decode(msg)
		if err != nil {
			return false, err
		}
		if !rec.At.Before(from) && rec.At.Before(to) {
			out = append(out, rec)
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	sortByTime(out)
	return out, nil
}

// scan hands each message of the journal cfg selects, as of now, to each
// until it returns false or an error.
func (r *Reader) scan(ctx context.Context, cfg jetstream.ConsumerConfig, each func(jetstream.Msg) (bool, error)) error {
	if err := streams.Scan(ctx, r.js, streams.Journal, cfg, each); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// decode reads a record from msg.
func decode(msg jetstream.Msg) (Record, error) {
	var rec Record
	if err := json.Unmarshal(msg.Data(), &rec); err != nil {
		return rec, fmt.Errorf("journal: record on %s: %w", msg.Subject(), err)
	}
	rec.At = rec.At.In(envelope.Almaty())
	return rec, nil
}

func sortByTime(recs []Record) {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].At.Before(recs[j].At) })
}
