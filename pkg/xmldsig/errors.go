package xmldsig

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error this package returns wraps one of them.
var (
	// ErrNoSignature means the document carries no ds:Signature where the
	// profile expects one.
	ErrNoSignature = errors.New("no signature")
	// ErrSeveralSignatures means more than one ds:Signature was found where
	// the profile allows one.
	ErrSeveralSignatures = errors.New("more than one signature")
	// ErrMalformed means the Signature element does not have the shape the
	// profile requires.
	ErrMalformed = errors.New("malformed signature")
	// ErrUnsupportedAlgorithm means a method or transform URI is not one
	// salyq implements.
	ErrUnsupportedAlgorithm = errors.New("unsupported algorithm")
	// ErrReference means the Reference does not point at what the profile
	// requires it to sign.
	ErrReference = errors.New("reference does not cover the signed content")
	// ErrDigestMismatch means the signed content changed after signing.
	ErrDigestMismatch = errors.New("digest mismatch")
	// ErrBadSignature means the signature value does not verify with the
	// certificate's key.
	ErrBadSignature = errors.New("signature value does not verify")
	// ErrCertificate means KeyInfo holds no usable certificate.
	ErrCertificate = errors.New("no usable certificate in KeyInfo")
	// ErrSign means the signer failed.
	ErrSign = errors.New("signing failed")
)

// CheckError reports which check of a signature failed. Check names the
// element or step ("SignatureMethod", "Reference", "DigestValue", …) so that
// a refusal can say exactly what was wrong.
type CheckError struct {
	Check  string
	Detail string
	Err    error
}

func (e *CheckError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("xmldsig: %s: %v", e.Check, e.Err)
	}
	return fmt.Sprintf("xmldsig: %s: %v: %s", e.Check, e.Err, e.Detail)
}

// Unwrap returns the sentinel behind the failed check.
func (e *CheckError) Unwrap() error { return e.Err }

func checkErr(check string, err error, format string, args ...any) error {
	return &CheckError{Check: check, Detail: fmt.Sprintf(format, args...), Err: err}
}
