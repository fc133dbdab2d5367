package board

import "errors"

var (
	// ErrNotFound means no submission has that id.
	ErrNotFound = errors.New("submission not found")
	// ErrWatchClosed means a watch of the bucket ended before its initial
	// values were read (the connection closed).
	ErrWatchClosed = errors.New("bucket watch closed")
	// ErrConflict means another writer changed the record since it was
	// loaded.
	ErrConflict = errors.New("record changed concurrently")
)
