package delivery

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// RateLimiter caps requests per second toward the gateway across every
// worker process: each second has a counter in the salyq_rate bucket,
// incremented by compare-and-set. The bucket's TTL removes old seconds.
type RateLimiter struct {
	kv        jetstream.KeyValue
	perSecond int
	clock     func() time.Time
}

// NewRateLimiter returns a limiter of perSecond requests (0: unlimited).
func NewRateLimiter(kv jetstream.KeyValue, perSecond int, clock func() time.Time) *RateLimiter {
	return &RateLimiter{kv: kv, perSecond: perSecond, clock: clock}
}

// Wait blocks until a request may be made in the current second.
func (r *RateLimiter) Wait(ctx context.Context) error {
	if r == nil || r.perSecond <= 0 {
		return nil
	}
	for {
		now := r.clock()
		key := "s" + strconv.FormatInt(now.Unix(), 10)
		ok, err := r.take(ctx, key)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		next := now.Truncate(time.Second).Add(time.Second)
		t := time.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// take increments the counter of key if it is below the limit.
func (r *RateLimiter) take(ctx context.Context, key string) (bool, error) {
	for {
		e, err := r.kv.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			if _, err := r.kv.Create(ctx, key, []byte("1")); err == nil {
				return true, nil
			} else if !errors.Is(err, jetstream.ErrKeyExists) {
				return false, err
			}
			continue
		case err != nil:
			return false, err
		}
		n, _ := strconv.Atoi(string(e.Value()))
		if n >= r.perSecond {
			return false, nil
		}
		if _, err := r.kv.Update(ctx, key, []byte(strconv.Itoa(n+1)), e.Revision()); err == nil {
			return true, nil
		} else if !isWrongSequence(err) {
			return false, err
		}
	}
}

func isWrongSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}
