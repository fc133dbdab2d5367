// Package httplimit bounds what one salyq HTTP listener can be made to
// hold: connection timeouts, header size, requests served at once and
// request body bytes held at once across all requests. Every HTTP server
// salyq runs (intake API and health probes) is built by Server, so that a
// slow or hostile client costs a bounded number of goroutines and bytes.
package httplimit
