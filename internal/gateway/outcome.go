package gateway

import (
	"fmt"
	"time"

	"github.com/salyq/salyq/pkg/envelope"
)

// Class says what an outcome allows.
type Class int

// The outcome classes.
const (
	// Success: SONO answered with a business result.
	Success Class = iota + 1
	// Transient: not processed; retry after a backoff.
	Transient
	// Throttled: not processed; wait RetryAfter without spending an attempt.
	Throttled
	// Maintenance: a technological break; wait RetryAfter without
	// spending an attempt.
	Maintenance
	// Permanent: refused for good; a person must fix the cause.
	Permanent
	// Ambiguous: the request may have been processed (lost answer,
	// timeout after sending, untrusted answer); ask before resending.
	Ambiguous
)

var classNames = map[Class]string{
	Success: "success", Transient: "transient", Throttled: "throttled",
	Maintenance: "maintenance", Permanent: "permanent", Ambiguous: "ambiguous",
}

func (c Class) String() string {
	if n, ok := classNames[c]; ok {
		return n
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// Outcome is what became of one request.
type Outcome struct {
	Class Class
	// Code is the fault or business error code, when there is one.
	Code string
	// Reason is a human-readable cause.
	Reason string
	// RetryAfter is the gateway's Retry-After, if it sent one.
	RetryAfter time.Duration
	// Receipt is the SONO_FNO_SEND answer on Success (which may still be a
	// business refusal: see Receipt.Error; Classify folds those into
	// Permanent).
	Receipt *envelope.Receipt
	// Status is the SONO_FNO_GET_STATUS answer on Success.
	Status *envelope.StatusResponse
	// Err is the underlying error, if any.
	Err error
	// Exchange is the request as sent and the answer as received; nil
	// when no request was made (it could not be built or signed).
	Exchange *Exchange
}

func (o Outcome) String() string {
	s := o.Class.String()
	if o.Code != "" {
		s += " " + o.Code
	}
	if o.Reason != "" {
		s += ": " + o.Reason
	}
	return s
}
