package statusfsm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// SourcePoll is the default history source of entries written by Apply.
const SourcePoll = "poll"

// eventKey identifies a SONO history entry by status and SONO time: the
// same entry returned by two polls has the same key.
func eventKey(ev Event) string {
	return strconv.FormatInt(ev.At.UnixNano(), 10) + "|" + string(ev.Status)
}

// Apply records the status history returned by one poll of form id and
// returns the entries it added, in order. It is idempotent: entries already
// recorded (same status, same SONO time) are skipped, so re-applying a
// history, or an overlapping one, adds only what is new.
//
// New entries are applied in SONO time order. One older than the newest
// entry already applied is recorded as Late and does not change the state,
// because SONO's newest entry is its current status. Every applied entry
// is classified and flagged but never refused, terminal or not: SONO is
// authoritative.
//
// Apply also advances the poll schedule: if it added an entry, the next
// poll is Backoff.NextPoll(0) away; otherwise the backoff step grows. An
// empty history is an answer without news; a poll that got no answer is
// reported with PollFailed instead. A form that is (or becomes) terminal
// leaves the schedule, unless Options.NoticeWatch keeps it there for the
// notices that come later. Entries SONO dated at or before the form's
// RestoredTo are already summed up by a restored state and are skipped.
//
// The notices of the same answer are recorded in the same transaction,
// after the moves: each notice whose number the form does not keep yet is
// added to Form.Notices and gets an entry of its own (Entry.Notice) that
// enters the outbox; one already kept is skipped. A notice is not a move:
// it neither changes the state nor the schedule.
func (s *Store) Apply(ctx context.Context, id, source string, history []Event, notices ...Notice) ([]Entry, error) {
	if source == "" {
		source = SourcePoll
	}
	evs := slices.Clone(history)
	slices.SortStableFunc(evs, func(a, b Event) int { return a.At.Compare(b.At) })
	var added []Entry
	err := s.batch(ctx, id, func(tx *bolt.Tx) error {
		added = added[:0]
		f, err := getForm(tx, id)
		if err != nil {
			return err
		}
		seen, err := seenEvents(tx, id)
		if err != nil {
			return err
		}
		moved := false
		for _, ev := range evs {
			k := eventKey(ev)
			if seen[k] || !f.RestoredTo.IsZero() && !ev.At.After(f.RestoredTo) {
				continue
			}
			seen[k] = true
			late := !f.LastEventAt.IsZero() && ev.At.Before(f.LastEventAt)
			e, err := s.record(tx, f, ev.Status, Meta{Source: source, Message: ev.Message, At: ev.At}, recordOpts{eventKey: k, late: late})
			if err != nil {
				return err
			}
			if !late {
				f.LastEventAt = ev.At
				moved = true
			}
			added = append(added, e)
		}
		for _, n := range notices {
			if n.Number == "" || f.hasNotice(n.Number) {
				continue
			}
			e, err := s.recordNotice(tx, f, n, source)
			if err != nil {
				return err
			}
			added = append(added, e)
		}
		f.Polls++
		f.Failures = 0
		f.Updated = s.clock()
		if !moved {
			f.PollStep++
			if err := s.settleSchedule(tx, f, f.Updated); err != nil {
				return err
			}
		}
		return putForm(tx, f)
	})
	if err != nil {
		return nil, fmt.Errorf("statusfsm: apply %s: %w", id, err)
	}
	return added, nil
}

// recordNotice keeps notice n on f and appends its entry, in the outbox;
// the caller writes f back.
func (s *Store) recordNotice(tx *bolt.Tx, f *Form, n Notice, source string) (Entry, error) {
	now := s.clock()
	at := n.At
	if at.IsZero() {
		at = now
	}
	f.Notices = append(f.Notices, n)
	f.Seq++
	e := Entry{Seq: f.Seq, From: f.State, To: f.State, At: at, Recorded: now, Source: source, Move: Expected, Notice: &n}
	if err := putEntry(tx, f.ID, e); err != nil {
		return Entry{}, err
	}
	if err := tx.Bucket(bucketOutbox).Put(historyKey(f.ID, e.Seq), nil); err != nil {
		return Entry{}, err
	}
	f.Updated = now
	return e, nil
}

// seenEvents returns the event keys recorded for id. A form has a handful
// of entries, so reading them all is cheaper than keeping a second index.
func seenEvents(tx *bolt.Tx, id string) (map[string]bool, error) {
	seen := make(map[string]bool)
	prefix := historyPrefix(id)
	c := tx.Bucket(bucketHistory).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var e struct {
			EventKey string `json:"event_key"`
		}
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, fmt.Errorf("%w: history %s: %v", ErrCorrupt, id, err)
		}
		if e.EventKey != "" {
			seen[e.EventKey] = true
		}
	}
	return seen, nil
}
