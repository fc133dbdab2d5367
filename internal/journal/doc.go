// Package journal is the exchange journal: every request salyq sends to
// the gateway (SONO_FNO_SEND from the worker, SONO_FNO_GET_STATUS from
// the worker and the poller) and its answer, as raw XML, with the time in
// Astana time, the messageId, the submission, the service, the outcome
// and the latency, as the platform's operating rules ask (PROTOCOL.md §6).
// It is the evidence for an audit or a dispute with the tax office.
//
// The journal also holds one delay entry (Service ServiceDelay) per form
// SONO had not accepted an hour after its submission, with the cause
// (internal/delays): not an exchange, but a record the same rules ask
// for, kept beside the exchanges it explains.
//
// Records live in the SALYQ_JOURNAL stream (internal/streams), one
// message per exchange — request and answer together — on the subject of
// the taxpayer, S2-compressed and kept for --journal-max-age (five years
// by default), with --replicas like the rest of the layout, so the
// journal grows with the cluster and survives the loss of any one
// machine.
//
// What is never kept: requestInfo/sender/password is replaced by "***"
// and any configured secret is scrubbed before a record is published.
// Requests carry signatures and certificates, which are public; no
// private key ever enters a request.
//
// A record is published right after its exchange, before the worker or
// the poller settles what the answer means (journals the delivery,
// applies the status). A crash before the record is published is
// therefore followed by a redelivery or a new poll whose own exchange is
// recorded; a crash between the end of the HTTP exchange and the publish
// loses that one record. That gap is accepted: closing it would take a
// durable write before every request and another after it (a
// write-ahead entry), doubling the JetStream writes per form that issue
// #13 wants kept few, for an exchange whose effect (the form filed, the
// status read) is still established by the next one. A failed publish is
// logged at WARN and does not hold the form up, for the same reason.
package journal
