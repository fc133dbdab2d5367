package statusfsm

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PollFailed records that a status poll of form id got no answer (the
// gateway failed, the answer did not verify, no key could sign) and
// reschedules it: the retry is Backoff.NextPoll(Failures) away, or
// retryAfter if the gateway asked for longer. It is not "no news": the
// poll step that spaces polls of an unchanged form stays as it was, so a
// gateway outage does not stretch the polls after it. It returns the next
// poll; a terminal form stays out of the schedule and gets a zero time.
func (s *Store) PollFailed(ctx context.Context, id string, retryAfter time.Duration) (time.Time, error) {
	return s.reschedule(ctx, id, "poll failed", func(f *Form, now time.Time) time.Time {
		next := now.Add(max(s.backoff.NextPoll(f.Failures), retryAfter))
		f.Failures++
		return next
	})
}

// PollDeferred reschedules form id after a poll the gateway turned away
// without judging it (throttled, or a maintenance break): the retry is
// after away and counts as neither a failure nor "no news". Counting it
// as a failure would stretch the polls of every form a busy gateway
// throttled to the backoff's cap, long after the gateway is free again.
func (s *Store) PollDeferred(ctx context.Context, id string, after time.Duration) (time.Time, error) {
	return s.reschedule(ctx, id, "poll deferred", func(_ *Form, now time.Time) time.Time { return now.Add(after) })
}

// reschedule sets the next poll of a form that belongs in the schedule to
// what next says; any other form leaves it and gets a zero time.
func (s *Store) reschedule(ctx context.Context, id, what string, next func(*Form, time.Time) time.Time) (time.Time, error) {
	var at time.Time
	err := s.update(ctx, id, func(tx *bolt.Tx) error {
		f, err := getForm(tx, id)
		if err != nil {
			return err
		}
		now := s.clock()
		switch {
		case s.scheduled(f, now):
			at = next(f, now)
		case f.NextPoll.IsZero():
			return nil
		}
		// Else at stays zero and takes the form out of the schedule: a
		// watched form whose watch ended while it was claimed.
		f.Updated = now
		if err := setNextPoll(tx, f, at); err != nil {
			return err
		}
		return putForm(tx, f)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("statusfsm: %s %s: %w", what, id, err)
	}
	return at, nil
}
