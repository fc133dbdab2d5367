package broker

import "errors"

// ErrNotReady means the embedded server did not accept connections in time.
var ErrNotReady = errors.New("embedded NATS server not ready")

// ErrNoServer means no NATS URL was given and no running embedded server
// was found in the data directory.
var ErrNoServer = errors.New("no NATS server: give --nats or start `salyq run` with the same --data")

// ErrGaveUp means NATS or JetStream was not ready within the start
// timeout (see GaveUpError).
var ErrGaveUp = errors.New("NATS not ready in time")
