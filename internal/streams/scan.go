package streams

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Scanning a stream: messages per fetch, how long one fetch may wait, and
// how long an abandoned scan's consumer outlives its last fetch.
const (
	scanBatch     = 256
	scanFetchWait = 5 * time.Second
	scanIdle      = time.Minute
)

// Scan hands each message of stream that cfg selects (its filter and
// start), as of the call, to each, in stream order, until each returns
// false or an error. Messages published meanwhile are left for the next
// scan.
//
// It reads through one ephemeral pull consumer that it deletes when done.
// An ordered consumer is the wrong tool for a one-shot read: every Fetch
// makes it a new consumer on the server, and the last one stays for its
// inactivity threshold (five minutes) — a form's status looked up once a
// second left some 300 consumers on SALYQ_STATUS, each one matched
// against every message published. Should the process die before the
// delete, the server removes the consumer a minute after its last fetch.
func Scan(ctx context.Context, js jetstream.JetStream, stream string, cfg jetstream.ConsumerConfig, each func(jetstream.Msg) (bool, error)) error {
	cfg.AckPolicy = jetstream.AckNonePolicy
	cfg.MemoryStorage = true
	cfg.Replicas = 1
	cfg.InactiveThreshold = scanIdle
	cons, err := js.CreateConsumer(ctx, stream, cfg)
	if err != nil {
		return fmt.Errorf("scanning %s: %w", stream, err)
	}
	defer Drop(ctx, js, stream, cons)
	// The count is fixed when the consumer is made.
	pending := cons.CachedInfo().NumPending
	for got := uint64(0); got < pending; {
		n, more, err := scanFetch(ctx, cons, int(min(pending-got, scanBatch)), each)
		if err != nil || !more {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: %s: %d of %d messages read", ErrStalled, stream, got, pending)
		}
		got += uint64(n)
	}
	return nil
}

// scanFetch hands up to batch messages to each and returns how many came
// and whether to go on.
func scanFetch(ctx context.Context, cons jetstream.Consumer, batch int, each func(jetstream.Msg) (bool, error)) (int, bool, error) {
	fctx, cancel := context.WithTimeout(ctx, scanFetchWait)
	defer cancel()
	msgs, err := cons.Fetch(batch, jetstream.FetchContext(fctx))
	if err != nil {
		return 0, false, err
	}
	n := 0
	for msg := range msgs.Messages() {
		n++
		more, err := each(msg)
		if err != nil || !more {
			return n, false, err
		}
	}
	if err := msgs.Error(); err != nil && ctx.Err() != nil {
		return n, false, err
	}
	return n, true, nil
}

// Drop deletes the consumer on the server that cons is now (an ordered
// consumer moves to a new one on every reset), with a deadline of its own
// so that it also runs once ctx is done. A consumer left behind stays
// until its inactivity threshold, matched against every message the
// stream takes meanwhile.
func Drop(ctx context.Context, js jetstream.JetStream, stream string, cons jetstream.Consumer) {
	info := cons.CachedInfo()
	if info == nil {
		return
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), scanFetchWait)
	defer cancel()
	js.DeleteConsumer(dctx, stream, info.Name)
}
