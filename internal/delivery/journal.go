package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/salyq/salyq/internal/board"
)

// State of a submission in the journal.
type State string

// Journal states.
const (
	StatePending State = ""     // not yet filed
	StateSent    State = "sent" // SONO took it; RequestID is known
	StateDead    State = "dead" // dead-lettered
)

// Attempt is a send whose outcome is not yet known.
type Attempt struct {
	MessageID string    `json:"messageId"`
	At        time.Time `json:"at"`
}

// Record is the journal entry of one submission.
type Record struct {
	State State `json:"state,omitempty"`
	// Attempts counts transient failures (throttling and maintenance do
	// not spend attempts).
	Attempts     int       `json:"attempts,omitempty"`
	FirstAttempt time.Time `json:"firstAttempt,omitzero"`
	// InFlight is set before a request leaves and cleared once its outcome
	// is known; found set, it makes the delivery ambiguous.
	InFlight *Attempt `json:"inFlight,omitempty"`
	// Lease names the worker handling the submission until LeaseUntil.
	Lease      string    `json:"lease,omitempty"`
	LeaseUntil time.Time `json:"leaseUntil,omitzero"`

	RequestID string `json:"requestId,omitempty"`
	MessageID string `json:"messageId,omitempty"`
	// SentBy names the worker whose attempt SONO took, for operators
	// tracing a filing.
	SentBy string `json:"sentBy,omitempty"`
	Reason string `json:"reason,omitempty"`

	// View is the board's view stored with the record; Save writes it.
	View *board.View `json:"-"`
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
	br, rev, err := j.board.Load(ctx, id)
	if err != nil {
		return Record{}, 0, fmt.Errorf("journal: %w", err)
	}
	var r Record
	if len(br.Delivery) > 0 {
		if err := json.Unmarshal(br.Delivery, &r); err != nil {
			return Record{}, 0, fmt.Errorf("journal: %s: %w", id, err)
		}
	}
	r.View = br.View
	return r, rev, nil
}

// Save writes r, and r.View as the board's view, if the stored revision is
// still rev, and returns the new revision; ErrConflict if another writer
// came first.
func (j *Journal) Save(ctx context.Context, id string, r Record, rev uint64) (uint64, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return 0, err
	}
	n, err := j.board.Store(ctx, id, board.Record{View: r.View, Delivery: data}, rev)
	if errors.Is(err, board.ErrConflict) {
		return 0, fmt.Errorf("journal: %s: %w", id, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("journal: %w", err)
	}
	return n, nil
}
