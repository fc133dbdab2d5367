// Package poller follows every filed form to its final SONO status. It
// consumes delivery receipts from SALYQ_RECEIPTS into the statusfsm store,
// polls due forms with SONO_FNO_GET_STATUS requests signed by the
// taxpayer's key, applies each returned history (idempotently, flagging
// unexpected and unknown moves), publishes every change to SALYQ_STATUS,
// and stops polling a form at a terminal status. Its state is the bbolt
// file: after a restart it resumes from the schedule index.
package poller
