// Package envelope is the one place that knows salyq's wire format: the FNO
// tax form document, the taxpayer's enveloped signature over it, the ShEP
// SyncChannel v10 SOAP envelope with its WS-Security signature, SOAP faults,
// and the SONO payloads carried inside (receipt, status request and status
// response).
//
// Everything that depends on time, randomness or keys is injected: a Clock,
// an ID generator and an xmldsig.Signer, so that output is reproducible in
// tests. Parsing refuses DOCTYPE and entity declarations outright; every
// refusal is a typed error naming the field or check that failed.
package envelope
