// Package board keeps the latest state of every submission where every
// salyq process can read it (the salyq_state bucket), and publishes each
// change as an event on SALYQ_STATUS for ERP subscribers. It is a view:
// the authority for delivery is the worker's journal, for SONO statuses
// the poller's statusfsm store. The journal lives in the same record as
// the view (Record), so that a submission costs JetStream one key.
package board
