package board

import "errors"

// ErrNotFound means no submission has that id.
var ErrNotFound = errors.New("submission not found")
