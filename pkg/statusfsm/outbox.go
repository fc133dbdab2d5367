package statusfsm

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Pending is one form's recorded changes that are not yet published, with
// the form as it stood when they were read: Form.Seq is the sequence of
// the newest of them (or newer, if Restore moved the form on), so a view
// made from Form never runs ahead of the entries read with it.
type Pending struct {
	Form Form
	// Entries are the unpublished entries, oldest first.
	Entries []Entry
}

// Pending returns the unpublished changes of up to limit forms, in id
// order, leaving out forms for which skip returns true (a caller backing
// off one form should not hold up the others). Every entry the store
// records enters the outbox in the transaction that records it and stays
// there until DoneAll, so a change is published at least once whatever
// crashes in between.
func (s *Store) Pending(limit int, skip func(id string) bool) ([]Pending, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []Pending
	err := s.db.View(func(tx *bolt.Tx) error {
		hist := tx.Bucket(bucketHistory)
		c := tx.Bucket(bucketOutbox).Cursor()
		var cur *Pending
		lastID, skipped := "", false
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) < 9 || k[len(k)-9] != 0 {
				return fmt.Errorf("%w: outbox key %x", ErrCorrupt, k)
			}
			id := string(k[:len(k)-9])
			if id != lastID {
				// A form's keys are contiguous (id ‖ 0 ‖ seq): decide once per form.
				lastID, skipped = id, skip != nil && skip(id)
				if skipped {
					continue
				}
				if len(out) == limit {
					break
				}
				f, err := getForm(tx, id)
				if err != nil {
					return fmt.Errorf("outbox entry %x: %w", k, err)
				}
				out = append(out, Pending{Form: *f})
				cur = &out[len(out)-1]
			} else if skipped {
				continue
			}
			v := hist.Get(k)
			if v == nil {
				return fmt.Errorf("%w: outbox entry %x without history", ErrCorrupt, k)
			}
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("%w: history %s: %v", ErrCorrupt, id, err)
			}
			cur.Entries = append(cur.Entries, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("statusfsm: pending: %w", err)
	}
	return out, nil
}

// Published says that the outbox entries of form ID up to sequence UpTo
// are published.
type Published struct {
	ID   string
	UpTo uint64
}

// DoneAll removes the outbox entries of each form up to its sequence once
// they are published (entries recorded since stay), in one transaction:
// a publisher that published a round of forms commits (and fsyncs) once
// for all of them.
func (s *Store) DoneAll(ctx context.Context, marks ...Published) error {
	for _, m := range marks {
		if err := checkID(m.ID); err != nil {
			return fmt.Errorf("statusfsm: done %q: %w", m.ID, err)
		}
	}
	if len(marks) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, m := range marks {
			if err := clearOutbox(tx, m.ID, m.UpTo); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("statusfsm: done: %w", err)
	}
	return nil
}

// clearOutbox deletes the outbox entries of id with sequence up to upTo.
func clearOutbox(tx *bolt.Tx, id string, upTo uint64) error {
	prefix := historyPrefix(id)
	c := tx.Bucket(bucketOutbox).Cursor()
	var keys [][]byte
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8; k, _ = c.Next() {
		if binary.BigEndian.Uint64(k[len(prefix):]) > upTo {
			break
		}
		keys = append(keys, bytes.Clone(k))
	}
	// Deleting while iterating would make the cursor skip keys.
	b := tx.Bucket(bucketOutbox)
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// OutboxLen returns the number of unpublished entries.
func (s *Store) OutboxLen() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketOutbox).Stats().KeyN
		return nil
	})
	return n, err
}
