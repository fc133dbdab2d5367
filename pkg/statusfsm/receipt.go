package statusfsm

import (
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// SourceReceipt is the history source of entries written by ApplyReceipt.
const SourceReceipt = "receipt"

// ReceiptSeq is the history sequence at which ApplyReceipt records a form
// it did not know: the first. A sender that shows the form sent at this
// sequence shows what the store's first entry says.
const ReceiptSeq uint64 = 1

// ApplyReceipt records a delivery receipt idempotently and reports whether
// it changed anything:
//
//   - unknown form: it is created in sent with the receipt's metadata;
//   - form without a request id (queued, sending, or dead-lettered while the
//     gateway had in fact accepted it): it moves to sent, classified and
//     flagged like any move;
//   - same request id already stored: nothing happens (receipt delivered twice);
//   - another request id: in sent, the new id replaces the old one (the
//     form was resent after a reliable NOT_FOUND); past sent, the receipt is
//     recorded as a flagged entry and the ids stay.
func (s *Store) ApplyReceipt(ctx context.Context, id string, r Receipt) (Entry, bool, error) {
	var e Entry
	changed := false
	err := s.batch(ctx, id, func(tx *bolt.Tx) error {
		e, changed = Entry{}, false
		m := Meta{Source: SourceReceipt, At: r.At, RequestID: r.RequestID, MessageID: r.MessageID}
		f, err := getForm(tx, id)
		if errors.Is(err, ErrNotFound) {
			f = &Form{ID: id, Created: s.clock()}
		} else if err != nil {
			return err
		}
		fillMissing(f, r)
		switch {
		case f.State == "":
			e, err = s.record(tx, f, StateSent, m, recordOpts{})
		case f.RequestID == r.RequestID:
			return nil
		case f.RequestID == "":
			if s.table.Info(f.State).Kind == KindProduct {
				e, err = s.record(tx, f, StateSent, m, recordOpts{})
			} else {
				f.RequestID, f.MessageID = r.RequestID, r.MessageID
				m.Message = "request id learnt from a late receipt"
				e, err = s.record(tx, f, f.State, m, recordOpts{})
			}
		case f.State == StateSent:
			m.Message = "resent: request id " + f.RequestID + " replaced"
			e, err = s.record(tx, f, StateSent, m, recordOpts{})
		default:
			m.Message = "receipt with request id " + r.RequestID + " ignored, keeping " + f.RequestID
			m.RequestID, m.MessageID = "", ""
			e, err = s.record(tx, f, f.State, m, recordOpts{late: true, extra: FlagUnexpected})
		}
		if err != nil {
			return err
		}
		changed = true
		return putForm(tx, f)
	})
	if err != nil {
		return Entry{}, false, fmt.Errorf("statusfsm: receipt %s: %w", id, err)
	}
	return e, changed, nil
}

// fillMissing copies the receipt's descriptive fields the form lacks.
func fillMissing(f *Form, r Receipt) {
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&f.Taxpayer, r.Taxpayer)
	set(&f.FormCode, r.FormCode)
	set(&f.Period, r.Period)
	set(&f.Kind, r.Kind)
}
