package statusfsm

import (
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Create records a new form in f.State (queued when empty) with one history
// entry. It is idempotent on the id: if the form exists, Create returns the
// stored form and false, so a form submitted twice stays one submission.
// Only the descriptive fields of f are taken; the store owns timestamps,
// attempts, flags and the schedule.
func (s *Store) Create(ctx context.Context, f Form, m Meta) (Form, bool, error) {
	if f.State == "" {
		f.State = StateQueued
	}
	var out Form
	created := false
	err := s.update(ctx, f.ID, func(tx *bolt.Tx) error {
		if have, err := getForm(tx, f.ID); err == nil {
			out = *have
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		to := f.State
		nf := Form{
			ID: f.ID, RequestID: f.RequestID, MessageID: f.MessageID,
			Taxpayer: f.Taxpayer, FormCode: f.FormCode, Period: f.Period, Kind: f.Kind,
			Created: s.clock(),
		}
		if _, err := s.record(tx, &nf, to, m, recordOpts{}); err != nil {
			return err
		}
		created = true
		out = nf
		return putForm(tx, &nf)
	})
	if err != nil {
		return Form{}, false, fmt.Errorf("statusfsm: create %s: %w", f.ID, err)
	}
	return out, created, nil
}

// Transition moves form id from expectFrom to to as one compare-and-set:
// if the form is not in expectFrom it fails with a *ConflictError and
// changes nothing. The move is classified by the table and recorded in the
// history with its flags; Unexpected, Unknown and Forbidden moves are
// applied too, except a Forbidden move to a product state, which fails
// with a *TerminalError (our own components may not revive a finished
// form; only SONO may, see the package doc).
func (s *Store) Transition(ctx context.Context, id string, expectFrom, to Status, m Meta) (Entry, error) {
	var e Entry
	err := s.update(ctx, id, func(tx *bolt.Tx) error {
		f, err := getForm(tx, id)
		if err != nil {
			return err
		}
		if f.State != expectFrom {
			return &ConflictError{ID: id, Want: expectFrom, Have: f.State}
		}
		if s.table.Classify(f.State, to) == Forbidden && s.table.Info(to).Kind == KindProduct {
			return &TerminalError{ID: id, State: f.State, To: to}
		}
		if e, err = s.record(tx, f, to, m, recordOpts{}); err != nil {
			return err
		}
		return putForm(tx, f)
	})
	if err != nil {
		return Entry{}, fmt.Errorf("statusfsm: transition %s: %w", id, err)
	}
	return e, nil
}
