package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// legacyDead is how journals written before the lifecycle vocabulary
// said failed-delivery.
const legacyDead statusfsm.Status = "dead"

// Attempt is a send whose outcome is not yet known.
type Attempt struct {
	MessageID string `json:"messageId"`
	// At is when the attempt started, by the clock of the worker that
	// made it: for operators, and for that worker's own waits.
	At time.Time `json:"at"`
	// Stamp is a JetStream server time no earlier than the journal write
	// that recorded the attempt (Ended: no earlier than the end of its
	// request); the grace period of a status check counts from it, so a
	// worker never compares its clock with the sender's. Zero until a
	// worker loads the record with the attempt in flight and fills in the
	// time the server stored that revision.
	Stamp time.Time `json:"stamp,omitzero"`
	// Ended says the request is known to have ended (its answer was lost
	// or it timed out) before Stamp: it cannot reach the gateway later,
	// so grace counts from Stamp without adding the request timeout.
	Ended bool `json:"ended,omitempty"`
}

// Record is the journal entry of one submission.
type Record struct {
	// State is the submission's place in the lifecycle (pkg/statusfsm):
	// queued (or empty: never handled), sending while an attempt is in
	// flight, sent once SONO took it, failed-delivery once dead-lettered.
	State statusfsm.Status `json:"state,omitempty"`
	// Attempts counts transient failures (throttling and maintenance do
	// not spend attempts).
	Attempts     int       `json:"attempts,omitempty"`
	FirstAttempt time.Time `json:"firstAttempt,omitzero"`
	// InFlight is set before a request leaves and cleared once its outcome
	// is known; found set, it makes the delivery ambiguous.
	InFlight *Attempt `json:"inFlight,omitempty"`
	// Lease names the worker handling the submission, and LeaseSeq and
	// LeaseDelivery the delivery it handles (stream sequence and
	// NumDelivered of the submission message). See Worker.leaseHeld.
	Lease         string `json:"lease,omitempty"`
	LeaseSeq      uint64 `json:"leaseSeq,omitempty"`
	LeaseDelivery uint64 `json:"leaseDelivery,omitempty"`

	RequestID string `json:"requestId,omitempty"`
	MessageID string `json:"messageId,omitempty"`
	// SentBy names the worker whose attempt SONO took, for operators
	// tracing a filing.
	SentBy string `json:"sentBy,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Code is the gateway's code of a dead-lettered submission.
	Code string `json:"code,omitempty"`

	// Version counts the journal's writes. A save whose revision is stale
	// only because the board rewrote the view (the intake's queued view,
	// the poller's statuses) is retried on the new revision; one whose
	// journal changed meanwhile is a conflict.
	Version uint64 `json:"version,omitempty"`

	// View is the board's view stored with the record.
	View *board.View `json:"-"`
	// Written is when the JetStream server stored the loaded revision.
	Written time.Time `json:"-"`
	// viewSet says that SetView replaced View: Save writes it over the
	// board's; otherwise the board's stored view is kept.
	viewSet bool
	// delays is the board record's section of the delay watch, kept as
	// loaded.
	delays json.RawMessage
}

// SetView makes the next Save write v as the board's view.
func (r *Record) SetView(v board.View) {
	v.Carry(r.View)
	r.View, r.viewSet = &v, true
}

// Journal stores records in the delivery section of the board's record
// of each submission (board.Record): the view and the journal of a
// submission are one key, and the worker updates both in one write.
type Journal struct {
	board *board.Board
}

// NewJournal returns a journal on the board's records.
func NewJournal(b *board.Board) *Journal { return &Journal{board: b} }

// Load returns the record of id, with the board's view of it in r.View,
// and the revision to save it against; a submission never seen has an
// empty record and revision 0.
func (j *Journal) Load(ctx context.Context, id string) (Record, uint64, error) {
	br, rev, written, err := j.board.LoadStamped(ctx, id)
	if err != nil {
		return Record{}, 0, fmt.Errorf("journal: %w", err)
	}
	var r Record
	if len(br.Delivery) > 0 {
		if err := json.Unmarshal(br.Delivery, &r); err != nil {
			return Record{}, 0, fmt.Errorf("journal: %s: %w", id, err)
		}
	}
	if r.State == legacyDead {
		r.State = statusfsm.StateFailedDelivery
	}
	r.View, r.Written, r.delays = br.View, written, br.Delays
	if r.InFlight != nil && r.InFlight.Stamp.IsZero() {
		// This revision was stored no earlier than the attempt's: the
		// first reader after the attempt bounds its time from above.
		r.InFlight.Stamp = written
	}
	return r, rev, nil
}

// Save writes r, with the view SetView gave it, if the journal is still
// as r was loaded at revision rev, and returns the new revision. It
// updates r's Version; ErrConflict means another writer changed the
// journal first.
func (j *Journal) Save(ctx context.Context, id string, r *Record, rev uint64) (uint64, error) {
	loaded := r.Version
	next := *r
	next.Version = loaded + 1
	for {
		data, err := json.Marshal(next)
		if err != nil {
			return 0, err
		}
		n, err := j.board.Store(ctx, id, board.Record{View: next.View, Delivery: data, Delays: next.delays}, rev)
		if err == nil {
			r.Version, r.View, r.viewSet, r.delays = next.Version, next.View, false, next.delays
			return n, nil
		}
		if !errors.Is(err, board.ErrConflict) {
			return 0, fmt.Errorf("journal: %w", err)
		}
		cur, curRev, err := j.Load(ctx, id)
		if err != nil {
			return 0, err
		}
		if curRev == 0 || cur.Version != loaded {
			return 0, fmt.Errorf("journal: %s: %w", id, ErrConflict)
		}
		// Only the board's view (or the delay watch's marks) moved: keep
		// it, unless replacing it.
		if !r.viewSet {
			next.View = cur.View
		} else if next.View != nil {
			// The intake's fields may have come meanwhile.
			nv := *next.View
			nv.Carry(cur.View)
			next.View = &nv
		}
		next.delays = cur.delays
		rev = curRev
	}
}

// Written returns when the server stored the current revision of the
// record of id. Read right after a Save, it is the server's present time
// as closely as a client can know it, and never later.
func (j *Journal) Written(ctx context.Context, id string) (time.Time, error) {
	_, _, t, err := j.board.LoadStamped(ctx, id)
	if err != nil {
		return time.Time{}, fmt.Errorf("journal: %w", err)
	}
	return t, nil
}
