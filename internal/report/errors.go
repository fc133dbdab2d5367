package report

import "errors"

var (
	// ErrNoBatch means no form the caller may see is in the batch.
	ErrNoBatch = errors.New("no such batch")
	// ErrFormat means a report format other than csv, xlsx and html.
	ErrFormat = errors.New("unknown report format")
)
