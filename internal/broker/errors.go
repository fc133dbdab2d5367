package broker

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotReady means the embedded server did not accept connections in time.
var ErrNotReady = errors.New("embedded NATS server not ready")

// ErrNoServer means no NATS URL was given and no running embedded server
// was found in the data directory.
var ErrNoServer = errors.New("no NATS server: give --nats or start `salyq run` with the same --data")

// ErrGaveUp means NATS or JetStream was not ready within the start
// timeout (see GaveUpError).
var ErrGaveUp = errors.New("NATS not ready in time")

// GaveUpError means Retry ran out of time; Last is the last failure.
type GaveUpError struct {
	What  string
	Tries int
	After time.Duration
	Last  error
}

func (e *GaveUpError) Error() string {
	return fmt.Sprintf("%s: gave up after %d tries in %s (--start-timeout): %v", e.What, e.Tries, e.After.Round(time.Second), e.Last)
}

// Is makes a GaveUpError match ErrGaveUp.
func (e *GaveUpError) Is(target error) bool { return target == ErrGaveUp }

// Unwrap returns the last failure.
func (e *GaveUpError) Unwrap() error { return e.Last }

// ErrSecurityConfig means the NATS credential or TLS options are
// inconsistent.
var ErrSecurityConfig = errors.New("NATS credentials")
