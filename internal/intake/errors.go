package intake

import (
	"errors"
	"fmt"
)

// ErrPublish means JetStream did not store the submission: nothing was
// accepted, the caller may retry.
var ErrPublish = errors.New("could not store the submission")

// ErrTooLarge means a form is larger than the maximum form size: a
// permanent refusal, sending it again cannot help.
var ErrTooLarge = errors.New("form too large")

// ErrPayloadLimit means the NATS server cannot carry a form of the
// maximum size: the service refuses to start.
var ErrPayloadLimit = errors.New("maximum form size does not fit the NATS server's max_payload")

// TooLargeError is a form refused for its size. Size is what was read:
// at most Max+1 when the form came from a stream that was cut off.
type TooLargeError struct {
	Size, Max int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("form larger than the maximum form size of %s (--max-form-size)", sizeString(e.Max))
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// reason says by how much, where the size is known.
func (e *TooLargeError) reason() string {
	if e.Size > e.Max+1 {
		return fmt.Sprintf("%d bytes, the maximum is %d", e.Size, e.Max)
	}
	return fmt.Sprintf("more than the maximum of %d bytes", e.Max)
}

// ErrBatchLimit means a batch carried more forms than one batch may: this
// form and the rest were not read; sending them in another batch may
// succeed.
var ErrBatchLimit = errors.New("too many forms in one batch")

// BatchLimitError is a form past the batch's maximum number of forms.
type BatchLimitError struct{ Max int }

func (e *BatchLimitError) Error() string {
	return fmt.Sprintf("more than %d forms in one batch: this form and the rest were not read; send them in another", e.Max)
}

// Is makes errors.Is(err, ErrBatchLimit) true.
func (e *BatchLimitError) Is(target error) bool { return target == ErrBatchLimit }
