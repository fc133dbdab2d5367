package delivery

import "errors"

var (
	// ErrConflict means the journal record changed under us.
	ErrConflict = errors.New("delivery journal changed concurrently")
	// ErrBadMessage means a submission message lacks what the worker needs.
	ErrBadMessage = errors.New("bad submission message")
	// ErrStopped means the submission consumer stopped while the worker
	// was meant to run.
	ErrStopped = errors.New("submission consumer stopped")
)
