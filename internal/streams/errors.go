package streams

import (
	"errors"
	"fmt"
)

// ErrProvision wraps failures to create or update a stream or bucket.
var ErrProvision = errors.New("provisioning JetStream")

// ErrNotFound means a stream or bucket that salyq needs does not exist.
var ErrNotFound = errors.New("not found")

// NotFoundError names the stream or bucket Lookup did not find.
type NotFoundError struct {
	Kind, Name string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s %s not found: start a salyq service first", e.Kind, e.Name)
}

// Is makes a NotFoundError match ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// ErrStalled means a Scan stopped short of the messages that were there
// when it began: a fetch came back empty (the stream was purged or lost
// its leader meanwhile).
var ErrStalled = errors.New("stream read stalled")

// ErrNotEmpty means a work queue that --reconfigure would have to
// recreate still holds messages.
var ErrNotEmpty = errors.New("stream not empty")

// ReconfigureError is a difference that --reconfigure asked to apply and
// JetStream refused (retention and storage, for one, cannot change).
type ReconfigureError struct {
	Diffs []Diff
	Err   error
}

func (e *ReconfigureError) Error() string {
	if len(e.Diffs) == 0 {
		return fmt.Sprintf("%v: reconfiguring: %v", ErrProvision, e.Err)
	}
	return fmt.Sprintf("%v: reconfiguring %s %s: %v", ErrProvision, e.Diffs[0].Kind, e.Diffs[0].Name, e.Err)
}

// Is makes a ReconfigureError match ErrProvision.
func (e *ReconfigureError) Is(target error) bool { return target == ErrProvision }

// Unwrap returns JetStream's error.
func (e *ReconfigureError) Unwrap() error { return e.Err }

// Errors of the boundary checks (validate.go): what arrived cannot be used
// as a key, a subject token or a header value.
var (
	ErrInvalidID       = errors.New("invalid submission id")
	ErrInvalidTaxpayer = errors.New("invalid taxpayer number")
	ErrInvalidHeader   = errors.New("invalid header value")
)
