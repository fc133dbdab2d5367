package settle

import "errors"

var (
	// ErrDeadLetter means the dead letter could not be published; the
	// message was naked instead of terminated.
	ErrDeadLetter = errors.New("publishing dead letter")
	// ErrSettle means JetStream did not take the ack, nak or term.
	ErrSettle = errors.New("settling message")
)
