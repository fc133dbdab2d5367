package journal

import "errors"

var (
	// ErrNotFound means the journal holds no exchange for a submission.
	ErrNotFound = errors.New("no exchanges in the journal")
	// ErrStalled means reading the journal stopped short of the messages
	// it said it held.
	ErrStalled = errors.New("journal read stalled")
	// ErrIndex means an export's index.csv is not one Export wrote.
	ErrIndex = errors.New("journal export index")
)
