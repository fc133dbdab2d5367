// Package sandbox is the in-process sandbox gateway of `salyq run` and
// `salyq demo` (internal/sonosim with its test PKI), behind app.Sandbox.
// Only cmd/salyq imports it, so that the service binaries do not link
// the sandbox, the test PKI issuer or go-pkcs12.
package sandbox
