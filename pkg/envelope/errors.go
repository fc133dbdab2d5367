package envelope

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error of this package wraps one of them (or an
// xmldsig sentinel for signature checks), so callers classify with errors.Is.
var (
	// ErrMalformedXML means the bytes are not well-formed XML, or carry a
	// DOCTYPE or entity declaration, which salyq refuses.
	ErrMalformedXML = errors.New("malformed XML")
	// ErrInvalidForm means the FNO document breaks a rule of the format or
	// of its template.
	ErrInvalidForm = errors.New("invalid form")
	// ErrInvalidEnvelope means the SOAP envelope does not have the shape of
	// SyncChannel v10.
	ErrInvalidEnvelope = errors.New("invalid envelope")
	// ErrKeyNotAllowed means the signing certificate may not sign this
	// document (AUTH-only, expired, another taxpayer's).
	ErrKeyNotAllowed = errors.New("key not allowed to sign")
	// ErrUnknownTemplate means no template is known for the form code and
	// version, or none covers the tax period.
	ErrUnknownTemplate = errors.New("unknown form template")
)

// FieldError names the field (element, attribute or form field) that broke
// a rule and why.
type FieldError struct {
	Field  string
	Reason string
	Err    error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.Err, e.Field, e.Reason)
}

// Unwrap returns the sentinel the error belongs to.
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(sentinel error, field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}
