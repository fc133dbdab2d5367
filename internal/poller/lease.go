package poller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// leaseKey is the key of the pollers' lease in streams.BucketLeases.
const leaseKey = "poller"

// leaseValue is what the lease key holds. Renewals makes every renewal
// a different value, so a renewal whose answer was lost can be recognised.
type leaseValue struct {
	Holder   string `json:"holder"`
	Renewals uint64 `json:"renewals"`
}

// lease makes one poller of many the active one: it holds a key in a
// JetStream KV bucket and renews it by compare-and-set on the key's
// revision every period/3; the others stand by and take the key over by
// compare-and-set once its revision has not changed for a whole period.
//
// Every decision is a duration measured on the deciding process's own
// monotonic clock, never a timestamp written by another machine: clocks
// of different machines disagree, and a lease compared against a skewed
// clock would let two pollers be active at once. The holder counts from
// the moment it sent its last successful renewal, which is before the
// server stored it; a standby counts from the moment it first saw that
// revision, which is after. So the holder's period ends before any
// standby's can, and the holder steps down (at once, without waiting for
// a renewal to fail twice) before a standby takes over, as long as both
// clocks run at the same rate.
type lease struct {
	kv     jetstream.KeyValue
	holder string
	period time.Duration
	// now must carry a monotonic reading (time.Now does): only
	// differences of its values are used.
	now func() time.Time
	log *slog.Logger
}

// held is a lease this process holds: the key's revision and the local
// time the write that produced it was sent.
type held struct {
	rev      uint64
	since    time.Time
	renewals uint64
}

func (l *lease) value(renewals uint64) []byte {
	b, _ := json.Marshal(leaseValue{Holder: l.holder, Renewals: renewals})
	return b
}

// isConflict reports a compare-and-set that lost: another write came
// first.
func isConflict(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, jetstream.ErrKeyExists) ||
		errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}

// acquire stands by until this process holds the lease, or ctx ends.
func (l *lease) acquire(ctx context.Context) (held, error) {
	check := l.period / 3
	var seenRev uint64
	var seenAt time.Time
	var holder string
	for {
		sent := l.now()
		e, err := l.kv.Get(ctx, leaseKey)
		failed := false
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			rev, err := l.kv.Create(ctx, leaseKey, l.value(0))
			if err == nil {
				l.log.Info("poller lease acquired: active", "holder", l.holder)
				return held{rev: rev, since: sent}, nil
			}
			if !isConflict(err) && ctx.Err() == nil {
				l.log.Warn("creating the poller lease", "err", err)
			}
		case err != nil:
			if ctx.Err() != nil {
				return held{}, ctx.Err()
			}
			if errors.Is(err, nats.ErrConnectionClosed) {
				// Nothing will ever answer: end the process, so it is restarted.
				return held{}, fmt.Errorf("%w: %w", ErrStopped, err)
			}
			failed = true
			l.log.Warn("reading the poller lease", "err", err)
		case e.Revision() != seenRev:
			// Counted from when this process first saw the revision.
			seenRev, seenAt = e.Revision(), l.now()
			var v leaseValue
			if json.Unmarshal(e.Value(), &v) != nil {
				break
			}
			if v.Holder == l.holder {
				// This process's own last write (names are unique per
				// process: host and a random id): it stood down (NATS was
				// out of reach longer than the lease) and nobody has
				// taken over since, or the revision would differ. Take it
				// back at once, by compare-and-set on that revision, so a
				// standby's takeover in between wins instead.
				rev, err := l.kv.Update(ctx, leaseKey, l.value(v.Renewals+1), seenRev)
				if err == nil {
					l.log.Info("poller lease taken back: active", "holder", l.holder)
					return held{rev: rev, since: sent, renewals: v.Renewals + 1}, nil
				}
				if !isConflict(err) && ctx.Err() == nil {
					l.log.Warn("taking the poller lease back", "err", err)
				}
				break
			}
			if v.Holder != holder {
				holder = v.Holder
				l.log.Info("poller lease held by another poller: standing by", "holder", holder)
			}
		case l.now().Sub(seenAt) >= l.period:
			sent := l.now()
			rev, err := l.kv.Update(ctx, leaseKey, l.value(0), seenRev)
			if err == nil {
				l.log.Warn("poller lease not renewed for a whole period: took over", "previous", holder,
					"holder", l.holder, "period", l.period)
				return held{rev: rev, since: sent}, nil
			}
			if !isConflict(err) && ctx.Err() == nil {
				l.log.Warn("taking over the poller lease", "err", err)
			}
		}
		wait := check
		if seenRev != 0 && !failed {
			// Look again exactly when the period runs out, not up to a
			// check later; after a failed read, a whole check later, or a
			// server that does not answer would be asked in a busy loop.
			wait = min(wait, max(seenAt.Add(l.period).Sub(l.now()), time.Millisecond))
		}
		if err := sleep(ctx, wait); err != nil {
			return held{}, err
		}
	}
}

// hold renews the lease every period/3 until ctx ends (nil) or the lease
// is lost: another write to the key (ErrLeaseLost) or no successful
// renewal for a whole period since the last one was sent
// (ErrLeaseExpired). It returns the lease as last held.
func (l *lease) hold(ctx context.Context, h held) (held, error) {
	tick := time.NewTicker(l.period / 3)
	defer tick.Stop()
	for {
		left := h.since.Add(l.period).Sub(l.now())
		if left <= 0 {
			return h, l.lost(ErrLeaseExpired)
		}
		expire := time.NewTimer(left)
		select {
		case <-ctx.Done():
			expire.Stop()
			return h, nil
		case <-expire.C:
			return h, l.lost(ErrLeaseExpired)
		case <-tick.C:
			expire.Stop()
		}
		sent := l.now()
		rctx, cancel := context.WithTimeout(ctx, h.since.Add(l.period).Sub(sent))
		next := h.renewals + 1
		rev, err := l.kv.Update(rctx, leaseKey, l.value(next), h.rev)
		if err != nil && isConflict(err) {
			// The renewal may have been stored with its answer lost.
			if e, gerr := l.kv.Get(rctx, leaseKey); gerr == nil && string(e.Value()) == string(l.value(next)) {
				rev, err = e.Revision(), nil
			}
		}
		cancel()
		switch {
		case err == nil:
			h = held{rev: rev, since: sent, renewals: next}
		case ctx.Err() != nil:
			return h, nil
		case isConflict(err):
			return h, l.lost(ErrLeaseLost)
		default:
			l.log.Warn("renewing the poller lease", "err", err, "left", h.since.Add(l.period).Sub(l.now()).Round(time.Millisecond))
		}
	}
}

func (l *lease) lost(err error) error {
	l.log.Warn("poller lease lost: stepping down", "holder", l.holder, "err", err)
	return err
}

// release gives the lease up so that a standby takes over at once; only
// if this process still holds it.
func (l *lease) release(ctx context.Context, h held) {
	if err := l.kv.Delete(ctx, leaseKey, jetstream.LastRevision(h.rev)); err != nil {
		l.log.Warn("releasing the poller lease", "err", err)
		return
	}
	l.log.Info("poller lease released", "holder", l.holder)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
