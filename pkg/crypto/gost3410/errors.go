package gost3410

import "errors"

// Sentinel errors; every error this package returns wraps one of them.
var (
	// ErrUnknownCurve means an OID names no curve this package implements.
	ErrUnknownCurve = errors.New("unknown GOST curve")
	// ErrInvalidPrivateKey means a private key is of the wrong length or not
	// in [1, q−1].
	ErrInvalidPrivateKey = errors.New("invalid private key")
	// ErrInvalidPublicKey means a public key is of the wrong length, has a
	// coordinate ≥ p, is not on the curve or not in the prime-order subgroup.
	ErrInvalidPublicKey = errors.New("invalid public key")
	// ErrMalformedSignature means a signature has the wrong length or r or s
	// is outside [1, q−1].
	ErrMalformedSignature = errors.New("malformed signature")
	// ErrVerification means a well-formed signature does not verify.
	ErrVerification = errors.New("signature does not verify")
	// ErrRandom means the random source failed.
	ErrRandom = errors.New("random source failed")
	// ErrCurveMismatch means a key was used with another curve's key.
	ErrCurveMismatch = errors.New("curve mismatch")
)

// Error says which operation failed and why. Detail never holds key
// material: only lengths, curve names and OIDs.
type Error struct {
	Op     string
	Detail string
	Err    error
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return "gost3410: " + e.Op + ": " + e.Err.Error()
	}
	return "gost3410: " + e.Op + ": " + e.Err.Error() + ": " + e.Detail
}

// Unwrap returns the sentinel behind the failure.
func (e *Error) Unwrap() error { return e.Err }
