// Package poller follows every filed form to its final SONO status. It
// consumes the status events on SALYQ_STATUS and records the delivery
// receipt that a worker's sent event carries into the statusfsm store,
// polls due forms with SONO_FNO_GET_STATUS requests signed by the
// taxpayer's key, applies each returned history (idempotently, flagging
// unexpected and unknown moves) and stops polling a form at a terminal
// status, or NoticeWatch after it (statusfsm.Options), asking once every
// NoticeEvery for the notices that come later. A poll that gets no answer is logged at WARN and retried on its
// own backoff; it is not an answer without news. The notices of the tax
// office in an answer are kept on the form by number, in the same
// transaction, and published like changes (an event of kind notice, the
// board's notices).
//
// No status change is lost: the store writes every change to its outbox
// in the transaction that records it, and a publisher (publish.go) puts
// the change on SALYQ_STATUS, then the form's view on the board
// (salyq_state, compare-and-set by the history sequence), retrying with
// backoff, and clears the outbox entry only once both are stored.
//
// Several pollers can run, each with its own store: one holds a lease in
// the salyq_leases bucket and works, the others stand by and take over
// when it stops renewing (lease.go). A poller that becomes active first
// reconciles its store with the board (reconcile.go), so a store that
// was lost, deleted or left behind is rebuilt from JetStream.
package poller
