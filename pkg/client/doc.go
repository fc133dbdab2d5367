// Package client is the Go client of salyq's intake API for ERP
// integrators: submit a tax form (FNO XML), read its status, wait until it
// is final, and follow a set of submissions as their statuses change.
//
// The API is described by an OpenAPI 3 document the server serves at
// /openapi.json. Submitting is idempotent: the same form submitted again
// is the same submission (Submission.Duplicate), so a Submit that failed
// with ErrUnavailable, or whose answer was lost, may simply be repeated.
// Refusals (ErrRefused, ErrTooLarge) are permanent: fix the form.
// SubmitBatch sends many forms in one request and answers each as Submit
// would, in order; a form answered ErrUnavailable may be sent again.
//
// Status events are also published on the NATS stream SALYQ_STATUS; this
// package does not use NATS (it depends on the standard library only) and
// follows submissions by polling the HTTP API instead, which suits an ERP
// that reaches salyq over HTTP alone.
package client
