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
	var next time.Time
	err := s.update(ctx, id, func(tx *bolt.Tx) error {
		f, err := getForm(tx, id)
		if err != nil {
			return err
		}
		if !s.pollable(f.State) {
			return nil
		}
		now := s.clock()
		next = now.Add(max(s.backoff.NextPoll(f.Failures), retryAfter))
		f.Failures++
		f.Updated = now
		if err := setNextPoll(tx, f, next); err != nil {
			return err
		}
		return putForm(tx, f)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("statusfsm: poll failed %s: %w", id, err)
	}
	return next, nil
}
