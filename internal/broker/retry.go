package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Patience is how a process waits for NATS and JetStream at start: a fresh
// cluster takes a while to elect a meta leader and to place replicated
// streams, and a service that exits meanwhile only makes its supervisor
// give up. The overall bound is the deadline of the context given to
// Retry or Dial (--start-timeout).
type Patience struct {
	// Log receives a WARN per failed try; nil discards.
	Log *slog.Logger
	// Attempt bounds one try; zero means 10 s.
	Attempt time.Duration
	// Initial and Max are the first and the longest delay between tries;
	// zero means 250 ms and 10 s.
	Initial, Max time.Duration
}

func (p Patience) withDefaults() Patience {
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	if p.Attempt <= 0 {
		p.Attempt = 10 * time.Second
	}
	if p.Initial <= 0 {
		p.Initial = 250 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 10 * time.Second
	}
	return p
}

// Retry runs op until it succeeds, fails with an error that temporary
// rejects, or ctx ends. Each failed try is logged at WARN with the delay
// before the next. When ctx's deadline passes, the error is a
// *GaveUpError carrying the last failure.
func Retry(ctx context.Context, p Patience, what string, temporary func(error) bool, op func(context.Context) error) error {
	p = p.withDefaults()
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval, b.MaxElapsedTime = p.Initial, p.Max, 0
	start := time.Now()
	var last error
	tries := 0
	err := backoff.RetryNotify(func() error {
		tries++
		actx, cancel := context.WithTimeout(ctx, p.Attempt)
		defer cancel()
		err := op(actx)
		if err == nil {
			return nil
		}
		last = err
		if ctx.Err() != nil || !temporary(err) {
			return backoff.Permanent(err)
		}
		return err
	}, backoff.WithContext(b, ctx), func(err error, next time.Duration) {
		p.Log.Warn("not ready yet, retrying", "what", what, "try", tries, "next_in", next.Round(time.Millisecond), "err", err)
	})
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		if last == nil {
			last = ctx.Err()
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &GaveUpError{What: what, Tries: tries, After: time.Since(start), Last: last}
		}
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	return err
}
