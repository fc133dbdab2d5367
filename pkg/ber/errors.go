package ber

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error ToDER returns is a [*SyntaxError] whose Err
// matches one of them with errors.Is.
var (
	// ErrTruncated reports an element that runs past the end of its input or
	// of its enclosing element, including a missing end-of-contents marker.
	ErrTruncated = errors.New("ber: truncated element")
	// ErrTooDeep reports nesting beyond [Limits.MaxDepth].
	ErrTooDeep = errors.New("ber: nesting too deep")
	// ErrTooLarge reports an input or a normalised element beyond
	// [Limits.MaxSize].
	ErrTooLarge = errors.New("ber: input too large")
	// ErrTrailing reports bytes after the single top-level element.
	ErrTrailing = errors.New("ber: trailing data after element")
	// ErrTag reports identifier octets this package does not accept (a tag
	// number needing more than four octets).
	ErrTag = errors.New("ber: invalid tag")
	// ErrLength reports invalid length octets: more than four of them, a
	// length beyond [Limits.MaxSize], or an indefinite length on a
	// primitive element.
	ErrLength = errors.New("ber: invalid length")
	// ErrEOC reports an end-of-contents marker where no indefinite-length
	// element is open.
	ErrEOC = errors.New("ber: misplaced end-of-contents")
	// ErrSegment reports a segment of a constructed string whose tag differs
	// from the string's own universal tag.
	ErrSegment = errors.New("ber: constructed string segment has the wrong tag")
)

// SyntaxError says where the input is malformed.
type SyntaxError struct {
	// Offset is the byte offset in the input of the element at fault, or -1
	// when the input as a whole is (too large).
	Offset int
	// Err matches one of the package's sentinel errors, possibly with
	// detail added.
	Err error
}

func (e *SyntaxError) Error() string {
	if e.Offset < 0 {
		return e.Err.Error()
	}
	return fmt.Sprintf("%v at offset %d", e.Err, e.Offset)
}

// Unwrap returns the cause.
func (e *SyntaxError) Unwrap() error { return e.Err }

// syntaxError builds a SyntaxError at off.
func syntaxError(off int, err error) error { return &SyntaxError{Offset: off, Err: err} }
