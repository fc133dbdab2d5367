package streams

import "errors"

// ErrProvision wraps failures to create or update a stream or bucket.
var ErrProvision = errors.New("provisioning JetStream")

// Errors of the boundary checks (validate.go): what arrived cannot be used
// as a key, a subject token or a header value.
var (
	ErrInvalidID       = errors.New("invalid submission id")
	ErrInvalidTaxpayer = errors.New("invalid taxpayer number")
	ErrInvalidHeader   = errors.New("invalid header value")
)
