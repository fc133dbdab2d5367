// Package app wires salyq's parts into the programs: `salyq run` (intake,
// worker and poller in one process, with an embedded JetStream server and
// an in-process sandbox gateway when no --nats or --gateway is given), the
// three service binaries, and the admin commands (submit, status, dlq,
// demo, keys). Configuration comes from flags with environment
// equivalents (SALYQ_*), the same for every binary.
//
// The sandbox is not imported here: cmd/salyq passes it in (CLI.Sandbox,
// from internal/app/sandbox), so that the service binaries, built on
// Service, link neither the sandbox nor its test PKI.
package app
