package statusfsm

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SourceRebuild is the history source of entries written by Restore.
const SourceRebuild = "rebuild"

// Restore puts forms into the store as another copy of their state knows
// them (the board, from which a lost or stale store is rebuilt), in one
// transaction, and returns how many changed. Each Form carries the
// descriptive fields, State, Seq (the sequence of the newest entry that
// copy reflects), Message, Flags, LastEventAt (SONO's time of the
// status, if known), Notices (kept alongside the store's own, by
// number, so that the next poll does not take them for new ones) and,
// for a terminal form, Final (when it became final, for NoticeWatch). A
// form without an id or state fails the whole call (ErrInvalidID,
// ErrNoState): callers check with CheckID first.
//
// Restore never moves a form backwards. If the store holds it at a
// higher Seq, the other copy is behind (a publish was lost, or another
// writer put an older view back): the store's newest entry goes back to
// the outbox to be published again, and nothing else changes; at the
// same Seq and state, nothing changes at all. Otherwise the form takes
// f.State at sequence max(f.Seq, 1) with one history entry of source
// "rebuild" that is not classified (it sums up moves this store did not
// see), forgets unpublished entries up to that sequence (the other copy
// is already past them), and is due for a poll now if its state is
// pollable (a NoticeEvery from now if it is terminal and watched). SONO
// history entries up to f.LastEventAt are then taken as known, so the
// next poll does not replay them. At the same Seq with
// another state the two copies diverged (two stores recorded different
// changes under one number); the other copy's state wins, because it is
// what was published, and is recorded one past the store's sequence.
func (s *Store) Restore(ctx context.Context, forms ...Form) (int, error) {
	for _, f := range forms {
		if err := CheckID(f.ID); err != nil {
			return 0, fmt.Errorf("statusfsm: restore %q: %w", f.ID, err)
		}
		if f.State == "" {
			return 0, fmt.Errorf("statusfsm: restore %s: %w", f.ID, ErrNoState)
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	changed := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		changed = 0
		for _, f := range forms {
			have, err := getForm(tx, f.ID)
			switch {
			case errors.Is(err, ErrNotFound):
				have = &Form{ID: f.ID, Created: s.clock()}
			case err != nil:
				return err
			case have.Seq > f.Seq:
				if err := tx.Bucket(bucketOutbox).Put(historyKey(f.ID, have.Seq), nil); err != nil {
					return err
				}
				continue
			case have.Seq == f.Seq && have.State == f.State:
				continue
			}
			changed++
			seq := max(f.Seq, 1)
			if have.Seq >= seq {
				seq = have.Seq + 1 // diverged at the same sequence
			}
			if err := s.restore(tx, have, f, seq); err != nil {
				return err
			}
			if err := clearOutbox(tx, f.ID, seq); err != nil {
				return err
			}
			if err := putForm(tx, have); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("statusfsm: restore: %w", err)
	}
	return changed, nil
}

// restore moves have to f's state at sequence seq, writing the rebuild
// entry, the counters and the schedule; the caller writes have back.
func (s *Store) restore(tx *bolt.Tx, have *Form, f Form, seq uint64) error {
	now := s.clock()
	at := f.LastEventAt
	if at.IsZero() {
		at = now
	}
	e := Entry{
		Seq: seq, From: have.State, To: f.State, At: at, Recorded: now,
		Source: SourceRebuild, Message: f.Message,
	}
	if !s.table.Known(f.State) {
		e.Flags = FlagUnknown
	}
	if !f.LastEventAt.IsZero() && s.table.Info(f.State).Kind != KindProduct {
		e.EventKey = eventKey(Event{Status: f.State, At: f.LastEventAt})
	}
	if err := putEntry(tx, have.ID, e); err != nil {
		return err
	}
	if have.State != f.State {
		if have.State != "" {
			if err := bumpCount(tx, have.State, -1); err != nil {
				return err
			}
		}
		if err := bumpCount(tx, f.State, 1); err != nil {
			return err
		}
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&have.RequestID, f.RequestID)
	set(&have.MessageID, f.MessageID)
	set(&have.Taxpayer, f.Taxpayer)
	set(&have.FormCode, f.FormCode)
	set(&have.Period, f.Period)
	set(&have.Kind, f.Kind)
	for _, n := range f.Notices {
		// The other copy's notices were published: kept, not recorded again.
		if n.Number != "" && !have.hasNotice(n.Number) {
			have.Notices = append(have.Notices, n)
		}
	}
	if s.table.Terminal(f.State) && !s.table.Terminal(have.State) {
		// The other copy knows when the form became final, if anything
		// does; else it is now, which watches it a little longer.
		have.Final = f.Final
		if have.Final.IsZero() {
			have.Final = now
		}
	}
	have.State, have.Seq, have.Message = f.State, seq, f.Message
	have.Flags |= f.Flags | e.Flags
	if f.LastEventAt.After(have.LastEventAt) {
		have.LastEventAt = f.LastEventAt
	}
	have.RestoredTo = have.LastEventAt
	have.PollStep, have.Failures, have.Updated = 0, 0, now
	return s.settleScheduleAt(tx, have, now)
}

// settleScheduleAt puts f in the schedule at at if its state is
// pollable, a NoticeEvery later if it is watched for notices (a rebuild of
// many final forms should not poll them all at once), and takes it out
// otherwise.
func (s *Store) settleScheduleAt(tx *bolt.Tx, f *Form, at time.Time) error {
	switch {
	case s.pollable(f.State):
		return setNextPoll(tx, f, at)
	case s.watched(f, at):
		return setNextPoll(tx, f, at.Add(s.watchEvery))
	}
	return setNextPoll(tx, f, time.Time{})
}
