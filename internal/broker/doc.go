// Package broker starts the embedded NATS JetStream server of the
// single-machine default and connects to a NATS server, embedded or not.
//
// The embedded server listens on loopback only, stores its streams under
// the data directory, and writes its client URL to <data>/nats.url so that
// admin commands started later find a running `salyq run` through the same
// --data directory.
package broker
