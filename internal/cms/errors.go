package cms

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error Parse and Verify return matches one of them
// with errors.Is.
var (
	// ErrMalformed reports input that is not a well-formed SignedData.
	ErrMalformed = errors.New("cms: malformed SignedData")
	// ErrDigestMismatch reports a messageDigest attribute or a timestamp
	// imprint that does not match what it covers.
	ErrDigestMismatch = errors.New("cms: digest mismatch")
	// ErrBadSignature reports a signature value that does not verify.
	ErrBadSignature = errors.New("cms: signature does not verify")
	// ErrNoCertificate reports a signer whose certificate is not embedded.
	ErrNoCertificate = errors.New("cms: signer certificate not found")
	// ErrUnsupported reports an algorithm or structure this package does
	// not implement; the UnsupportedError names it.
	ErrUnsupported = errors.New("cms: unsupported")
	// ErrNoContent reports a detached signature verified without content.
	ErrNoContent = errors.New("cms: detached signature needs the content")
	// ErrContentConflict reports content passed to Verify that differs
	// from the content embedded in the SignedData.
	ErrContentConflict = errors.New("cms: content differs from the embedded content")
	// ErrNotTimestampAuthority reports a timestamp token whose signer
	// certificate is not certified for time stamping (RFC 3161 §2.3).
	ErrNotTimestampAuthority = errors.New("cms: timestamp signer is not a TSA")
)

// MalformedError says where a structure is malformed. It matches
// ErrMalformed.
type MalformedError struct {
	Where string // the structure, e.g. "SignerInfo"
	Err   error  // optional cause
}

func (e *MalformedError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("cms: malformed %s: %v", e.Where, e.Err)
	}
	return "cms: malformed " + e.Where
}

// Is makes errors.Is(err, ErrMalformed) true.
func (e *MalformedError) Is(target error) bool { return target == ErrMalformed }

// Unwrap returns the cause.
func (e *MalformedError) Unwrap() error { return e.Err }

// UnsupportedError names an algorithm or structure that is not implemented.
// It matches ErrUnsupported.
type UnsupportedError struct {
	What string // e.g. "digest algorithm"
	OID  string // dotted OID, empty when not an OID
}

func (e *UnsupportedError) Error() string {
	if e.OID == "" {
		return "cms: unsupported " + e.What
	}
	return fmt.Sprintf("cms: unsupported %s %s", e.What, e.OID)
}

// Is makes errors.Is(err, ErrUnsupported) true.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// SignerError says which SignerInfo failed, and whether it was the one in
// its timestamp token. It unwraps to the cause.
type SignerError struct {
	Index     int  // position in signerInfos
	Timestamp bool // the failure is in the signer's timestamp token
	Err       error
}

func (e *SignerError) Error() string {
	if e.Timestamp {
		return fmt.Sprintf("cms: signer %d: timestamp: %v", e.Index, e.Err)
	}
	return fmt.Sprintf("cms: signer %d: %v", e.Index, e.Err)
}

// Unwrap returns the cause.
func (e *SignerError) Unwrap() error { return e.Err }

func malformed(where string) error { return &MalformedError{Where: where} }
