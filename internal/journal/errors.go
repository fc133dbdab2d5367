package journal

import "errors"

var (
	// ErrNotFound means the journal holds no exchange for a submission.
	ErrNotFound = errors.New("no exchanges in the journal")
	// ErrIndex means an export's index.csv is not one Export wrote.
	ErrIndex = errors.New("journal export index")
)
