package delivery

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// DefaultCompactEvery is the default Config.CompactEvery.
const DefaultCompactEvery = 5 * time.Second

// compact removes, until ctx ends, the submission messages below the
// worker consumer's ack floor, in one purge each time the floor moved.
//
// SALYQ_SUBMISSIONS keeps its messages (limits retention) instead of
// being a work queue: a work queue removes each message on its ack, and
// every removal is a tombstone JetStream fsyncs, one write more per form.
// Below the ack floor every message is acknowledged, so none of them
// can come back; the purge is one write for all of them. A form in a
// long backoff holds the floor, and the messages after it wait on disk
// for as long. On a stream still a work queue (made before; see
// streams.Provision) the acks remove the messages and this does nothing.
func (w *Worker) compact(ctx context.Context) {
	t := time.NewTicker(w.cfg.CompactEvery)
	defer t.Stop()
	var purged uint64 // the floor of the last purge
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if w.cfg.Streams.Submissions.CachedInfo().Config.Retention != jetstream.LimitsPolicy {
			return
		}
		info, err := w.cons.Info(ctx)
		if err != nil {
			continue // the next tick tries again; nothing is lost meanwhile
		}
		floor := info.AckFloor.Stream
		if floor <= purged {
			continue
		}
		if err := w.cfg.Streams.Submissions.Purge(ctx, jetstream.WithPurgeSequence(floor+1)); err != nil {
			if ctx.Err() == nil {
				w.cfg.Log.Warn("removing delivered submissions", "upTo", floor, "err", err)
			}
			continue
		}
		purged = floor
	}
}
