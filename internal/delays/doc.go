// Package delays watches for forms SONO has not accepted in time
// (PROTOCOL.md §6): a form still without SONO's receipt an hour after it
// was submitted gets one entry in the exchange journal with the cause of
// the delay (seed 003 §30), and one past 24 hours is told to its user
// (§31): a "delayed" event on SALYQ_STATUS and a Delayed flag on its
// board view, which the view loses once the form is accepted.
//
// The watch sweeps the board's records, so it sees forms nobody works on
// (no worker running) as well as forms the worker keeps retrying; Run
// reads them once and then follows the board's changes (index.go), so a
// sweep looks at the forms still waiting, not at every record kept. The
// active poller runs it (one at a time through its lease); what it did is
// marked durably in the form's board record (the Delays section), so
// that a sweep repeated after a restart or by a poller that took over
// does neither twice.
package delays
