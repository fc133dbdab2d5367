package statusfsm

import (
	"errors"
	"fmt"
)

// Sentinel errors; match with errors.Is.
var (
	// ErrNotFound means no form has the given submission id.
	ErrNotFound = errors.New("statusfsm: form not found")
	// ErrConflict means a compare-and-set found another state than expected.
	ErrConflict = errors.New("statusfsm: state conflict")
	// ErrTerminal means a product component tried to move a form out of a
	// terminal state, or to reschedule a terminal form.
	ErrTerminal = errors.New("statusfsm: form is in a terminal state")
	// ErrInvalidID means a submission id is empty, too long or contains NUL.
	ErrInvalidID = errors.New("statusfsm: invalid submission id")
	// ErrSchema means the file was written with another schema version.
	ErrSchema = errors.New("statusfsm: schema version mismatch")
	// ErrTable means a status table could not be loaded.
	ErrTable = errors.New("statusfsm: invalid status table")
	// ErrNoState means Restore was given a form without a state.
	ErrNoState = errors.New("statusfsm: form without a state")
	// ErrCorrupt means a stored record could not be decoded.
	ErrCorrupt = errors.New("statusfsm: corrupt record")
)

// ConflictError reports a failed compare-and-set.
type ConflictError struct {
	ID   string
	Want Status
	Have Status
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("statusfsm: form %s: state is %q, expected %q", e.ID, e.Have, e.Want)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// TerminalError reports a refused move out of a terminal state.
type TerminalError struct {
	ID    string
	State Status
	To    Status
}

func (e *TerminalError) Error() string {
	if e.To == "" {
		return fmt.Sprintf("statusfsm: form %s: terminal state %q", e.ID, e.State)
	}
	return fmt.Sprintf("statusfsm: form %s: refusing %q -> %q out of a terminal state", e.ID, e.State, e.To)
}

// Is makes errors.Is(err, ErrTerminal) true.
func (e *TerminalError) Is(target error) bool { return target == ErrTerminal }

// SchemaError reports a schema version mismatch.
type SchemaError struct {
	Have, Want uint32
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("statusfsm: file schema version %d, this build reads %d", e.Have, e.Want)
}

// Is makes errors.Is(err, ErrSchema) true.
func (e *SchemaError) Is(target error) bool { return target == ErrSchema }

// TableError reports what is wrong with a status table.
type TableError struct {
	Field  string
	Reason string
	Err    error
}

func (e *TableError) Error() string {
	s := "statusfsm: invalid status table"
	if e.Field != "" {
		s += ": " + e.Field
	}
	s += ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is makes errors.Is(err, ErrTable) true.
func (e *TableError) Is(target error) bool { return target == ErrTable }

// Unwrap returns the underlying decode error, if any.
func (e *TableError) Unwrap() error { return e.Err }
