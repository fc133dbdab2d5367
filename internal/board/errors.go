package board

import "errors"

var (
	// ErrNotFound means no submission has that id.
	ErrNotFound = errors.New("submission not found")
	// ErrConflict means another writer changed the record since it was
	// loaded.
	ErrConflict = errors.New("record changed concurrently")
)
