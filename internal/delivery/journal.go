package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
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
}

// Journal stores records in a JetStream key-value bucket.
type Journal struct {
	kv jetstream.KeyValue
}

// NewJournal returns a journal on the salyq_delivery bucket.
func NewJournal(kv jetstream.KeyValue) *Journal { return &Journal{kv: kv} }

// Load returns the record of id and its revision; a submission never seen
// has an empty record and revision 0.
func (j *Journal) Load(ctx context.Context, id string) (Record, uint64, error) {
	e, err := j.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Record{}, 0, nil
	}
	if err != nil {
		return Record{}, 0, fmt.Errorf("journal: %s: %w", id, err)
	}
	var r Record
	if err := json.Unmarshal(e.Value(), &r); err != nil {
		return Record{}, 0, fmt.Errorf("journal: %s: %w", id, err)
	}
	return r, e.Revision(), nil
}

// Save writes r if the stored revision is still rev, and returns the new
// revision; ErrConflict if another writer came first.
func (j *Journal) Save(ctx context.Context, id string, r Record, rev uint64) (uint64, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return 0, err
	}
	var n uint64
	if rev == 0 {
		n, err = j.kv.Create(ctx, id, data)
	} else {
		n, err = j.kv.Update(ctx, id, data, rev)
	}
	if errors.Is(err, jetstream.ErrKeyExists) || isWrongSequence(err) {
		return 0, fmt.Errorf("journal: %s: %w", id, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("journal: %s: %w", id, err)
	}
	return n, nil
}

func isWrongSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}
