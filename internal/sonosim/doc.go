// Package sonosim is the sandbox gateway: a local SONO behind a ShEP
// SyncChannel v10 endpoint (docs/PROTOCOL.md), strict in what it accepts and
// unreliable on demand, for salyq's tests, benchmarks and demo and for
// integrators who have no VPN to the real gateway yet. New returns an
// http.Handler usable in-process; cmd/sono-sim serves it.
//
// Decisions (issue 3):
//
//   - HTTP: SyncChannel is served on every path by POST with text/xml.
//     GET /_sim/stats answers Stats as JSON; POST /_sim/reset clears the
//     filings, the statistics and the state of the fault schedules
//     (throttle window, periodic maintenance epoch, fault random source).
//     A body over Config.MaxBodyBytes (default 10 MiB) is answered 413
//     with a SOAP fault envelope.FaultTooLarge.
//   - Gateway faults are SOAP 1.1 faults from envelope.Codec.EncodeFault,
//     signed with the gateway key like every other answer: FaultRequest
//     (HTTP 500) for structure errors and DOCTYPEs, FaultSignature for a
//     missing or bad WS-Security signature, FaultCertificate for a
//     transport certificate that is AUTH-only, outside its validity, not
//     chaining to the trust anchors or revoked, FaultUnknownService,
//     FaultTechnical
//     for injected transient faults, FaultThrottled (HTTP 429) and
//     FaultMaintenance (HTTP 503), both with Retry-After. An injected plain
//     503 has a short text body.
//   - Business answers are signed SendMessageResponse with status code
//     Config.SuccessCode ("SCSS001") carrying envelope.Receipt or
//     envelope.StatusResponse; refusals go in errorInfo. A form whose
//     signer is not its taxpayer is CodeSubjectMismatch; a missing or bad
//     taxpayer signature and a signing key that may not sign (AUTH-only,
//     expired, unreadable identity, outside the trust anchors, revoked)
//     are CodeFormSignature, because the sender's remedy is the same: sign
//     again with a valid SIGN key. A status request is checked the same
//     way, then CodeNotFound, then CodeAccessDenied when its signer is not
//     the form's taxpayer.
//   - Trust (issue 12): like SONO, the sandbox verifies the taxpayer's
//     certificate, not only the signature. Every certificate it meets,
//     transport or taxpayer's, must chain to Config.Trust (cmd/sono-sim:
//     its own test root plus --trust FILE|DIR, e.g. testdata/nca/certs)
//     and not be revoked by a Config.CRLs list (--crl, repeatable; each
//     must be signed by a trusted CA, checked at start). pkg/certcheck
//     does both, so GOST chains verify as RSA ones do. A form signed by
//     keys of an unrelated test PKI is refused CodeFormSignature.
//   - SONO_FNO_SEND applies the duplicate rule of docs/PROTOCOL.md §4b: one live
//     dt_main/dt_regular filing per taxpayer, code and period; a filing
//     whose status has reached a rejection or withdrawal frees the slot;
//     dt_additional and dt_notice are separate filings. Like the real
//     gateway it does not deduplicate by messageId.
//   - Filings live in memory only: the sandbox is a test double of a remote
//     service, and a restart is a fresh SONO.
//   - Status progression is a function of the time since filing
//     (Config.StatusStep per status) along a scenario chosen from
//     (Config.Seed, requestId) by Config.Weights: posted, processed,
//     rejected (with a format-logical-control reason) or posting error.
//     Status strings are verbatim from docs/STATUSES.md. The registration
//     number appears once the form reaches «Принята, но не разобрана».
//   - Notices (issue 12): the status answer carries the notices issued by
//     then. A rejected filing gets a "refusal" notice with the reason at
//     its «Не принята»; two accepted filings in four (chosen from the
//     same hash of Config.Seed and requestId) get a "violations found by
//     desk audit" notice: one at the step after «Принята», the other four
//     steps after its final status, which only a sender that goes on
//     asking after the final status sees. Each has a number of tax office
//     6205 from that hash and the date of its step.
//   - A filing is found by messageId only Config.HandoffDelay after it was
//     filed (the gateway may take up to a minute to hand a message on;
//     cmd/sono-sim defaults to 30s, the library to 0). When one messageId
//     was filed several times, the earliest filing answers.
//   - Fault injection (Faults) draws from math/rand/v2 seeded with
//     Config.Seed, so a sequential run is reproducible; the request ids
//     come from a seeded source too unless Config.NewID is set. Throttling
//     is a fixed one-second window on the injected clock. "Drop after
//     accept" records the filing, then hijacks and closes the connection
//     without an answer (or aborts the handler with http.ErrAbortHandler
//     when the connection cannot be hijacked, e.g. HTTP/2).
//   - The journal (Config.JournalDir) writes every request and answer as a
//     file named by sequence number, service, direction and time; the
//     sender password is masked in the journaled request.
//   - The clock is injected (Config.Clock) for status progression,
//     maintenance and throttling; latency uses real time through
//     Config.Sleep.
//
// Not modelled: sender registration (senderId/password are not checked),
// weekend and holiday breaks, withdrawal of filings, OCSP.
package sonosim
