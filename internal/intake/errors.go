package intake

import "errors"

// ErrPublish means JetStream did not store the submission: nothing was
// accepted, the caller may retry.
var ErrPublish = errors.New("could not store the submission")

// ErrTooLarge means a form is larger than MaxFormSize.
var ErrTooLarge = errors.New("form larger than 10 MiB")
