package intake

import "errors"

// ErrPublish means JetStream did not store the submission: nothing was
// accepted, the caller may retry.
var ErrPublish = errors.New("could not store the submission")
