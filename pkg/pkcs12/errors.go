package pkcs12

import (
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/salyq/salyq/pkg/ber"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrWrongPassword means the integrity MAC did not verify (or, for files
	// without a MAC, decryption produced garbage): the password is wrong or
	// the file was altered.
	ErrWrongPassword = errors.New("pkcs12: wrong password or corrupted container")
	// ErrSeveralKeys means the container holds more than one private key.
	ErrSeveralKeys = errors.New("pkcs12: container holds more than one private key")
	// ErrNoKey means the container holds no private key.
	ErrNoKey = errors.New("pkcs12: container holds no private key")
	// ErrUnsupported means an algorithm or structure this reader does not
	// implement; the wrapping [UnsupportedError] names it.
	ErrUnsupported = errors.New("pkcs12: unsupported")
	// ErrMalformed means the input is not valid ASN.1/BER or not a valid
	// PKCS#12 structure; the wrapping [MalformedError] says where.
	ErrMalformed = errors.New("pkcs12: malformed")
)

// UnsupportedError reports an algorithm or structure this reader does not
// implement.
type UnsupportedError struct {
	What string                // e.g. "key bag encryption"
	OID  asn1.ObjectIdentifier // the offending OID, if any
}

func (e *UnsupportedError) Error() string {
	if len(e.OID) > 0 {
		return fmt.Sprintf("pkcs12: unsupported %s %s", e.What, e.OID)
	}
	return "pkcs12: unsupported " + e.What
}

// Is reports whether target is ErrUnsupported.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// Unwrap returns ErrUnsupported.
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// MalformedError reports invalid encoding. Where names the structure being
// read; Offset is the byte offset inside that structure's encoding, or -1
// when not meaningful.
type MalformedError struct {
	Where  string
	Offset int
	Err    error // underlying cause, may be nil
}

func (e *MalformedError) Error() string {
	s := "pkcs12: malformed " + e.Where
	if e.Offset >= 0 {
		s += fmt.Sprintf(" at offset %d", e.Offset)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is ErrMalformed.
func (e *MalformedError) Is(target error) bool { return target == ErrMalformed }

// Unwrap returns the underlying cause.
func (e *MalformedError) Unwrap() error { return e.Err }

// malformed builds a MalformedError without an offset.
func malformed(where string, err error) error {
	return &MalformedError{Where: where, Offset: -1, Err: err}
}

// berMalformed turns a BER normalisation error into a MalformedError. The
// offset moves into MalformedError.Offset and the cause is the ber
// sentinel, so errors.Is works for both ErrMalformed and ber.ErrTruncated
// and friends without the offset appearing twice in the message.
func berMalformed(where string, err error) error {
	me := &MalformedError{Where: where + " (BER)", Offset: -1, Err: err}
	var se *ber.SyntaxError
	if errors.As(err, &se) {
		me.Offset, me.Err = se.Offset, se.Err
	}
	return me
}

// unsupported builds an UnsupportedError.
func unsupported(what string, oid asn1.ObjectIdentifier) error {
	return &UnsupportedError{What: what, OID: oid}
}

// wrongPassword wraps ErrWrongPassword with context that never contains the
// password itself.
func wrongPassword(context string) error {
	return fmt.Errorf("%s: %w", context, ErrWrongPassword)
}
