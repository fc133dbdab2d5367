package statusfsm

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// scheduleKey is the big-endian UnixNano of at with the sign bit flipped,
// so byte order is time order for any instant, followed by the id.
func scheduleKey(at time.Time, id string) []byte {
	k := make([]byte, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(at.UnixNano())^(1<<63))
	copy(k[8:], id)
	return k
}

func scheduleTime(k []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(k[:8])^(1<<63)))
}

// setNextPoll moves f's schedule entry to at; zero at removes it. Callers
// run it in the transaction that writes f, so the index always matches.
func setNextPoll(tx *bolt.Tx, f *Form, at time.Time) error {
	b := tx.Bucket(bucketSchedule)
	if !f.NextPoll.IsZero() {
		if err := b.Delete(scheduleKey(f.NextPoll, f.ID)); err != nil {
			return err
		}
	}
	f.NextPoll = at
	if at.IsZero() {
		return nil
	}
	return b.Put(scheduleKey(at, f.ID), nil)
}

// Due returns up to limit forms whose next poll is at or before now, most
// overdue first. It seeks the schedule index from its start and stops at
// the first entry in the future, so its cost is O(log n + limit) whatever
// the number of forms not yet due.
func (s *Store) Due(now time.Time, limit int) ([]Form, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []Form
	end := scheduleKey(now, "")
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSchedule).Cursor()
		for k, _ := c.First(); k != nil && len(out) < limit; k, _ = c.Next() {
			if bytes.Compare(k[:8], end[:8]) > 0 {
				break
			}
			f, err := getForm(tx, string(k[8:]))
			if err != nil {
				return fmt.Errorf("schedule entry %x: %w", k, err)
			}
			out = append(out, *f)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("statusfsm: due: %w", err)
	}
	return out, nil
}

// Claim is Due for pollers that run in parallel: it returns the due forms
// and, in the same transaction, pushes each one's next poll to now+lease,
// so a second caller does not get them. A poll that completes reschedules
// the form through Apply; one that crashes is retried after the lease.
func (s *Store) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Form, error) {
	if limit <= 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Form
	end := scheduleKey(now, "")
	err := s.db.Update(func(tx *bolt.Tx) error {
		out = out[:0]
		var ids []string
		c := tx.Bucket(bucketSchedule).Cursor()
		for k, _ := c.First(); k != nil && len(ids) < limit; k, _ = c.Next() {
			if bytes.Compare(k[:8], end[:8]) > 0 {
				break
			}
			ids = append(ids, string(k[8:]))
		}
		// Moving entries while iterating would make the cursor revisit them.
		for _, id := range ids {
			f, err := getForm(tx, id)
			if err != nil {
				return fmt.Errorf("schedule entry %s: %w", id, err)
			}
			if err := setNextPoll(tx, f, now.Add(lease)); err != nil {
				return err
			}
			if err := putForm(tx, f); err != nil {
				return err
			}
			out = append(out, *f)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("statusfsm: claim: %w", err)
	}
	return out, nil
}

// Reschedule sets the next poll of a non-terminal form to at, e.g. after
// the gateway asked to slow down. A zero at takes the form out of the
// schedule.
func (s *Store) Reschedule(ctx context.Context, id string, at time.Time) error {
	err := s.update(ctx, id, func(tx *bolt.Tx) error {
		f, err := getForm(tx, id)
		if err != nil {
			return err
		}
		if s.table.Terminal(f.State) {
			return &TerminalError{ID: id, State: f.State}
		}
		if err := setNextPoll(tx, f, at); err != nil {
			return err
		}
		f.Updated = s.clock()
		return putForm(tx, f)
	})
	if err != nil {
		return fmt.Errorf("statusfsm: reschedule %s: %w", id, err)
	}
	return nil
}
