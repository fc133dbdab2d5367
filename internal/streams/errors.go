package streams

import "errors"

// ErrProvision wraps failures to create or update a stream or bucket.
var ErrProvision = errors.New("provisioning JetStream")
