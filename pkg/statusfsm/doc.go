// Package statusfsm is the status machine of a tax form on its way to SONO:
// the closed set of states, the classification of moves between them, and
// a bbolt store that records every move of every form and tells a poller
// which forms are due for a status poll. It knows nothing of NATS or of
// the gateway; the poller feeds it.
//
// # States
//
// The Table holds, as data (table.json, compiled in; LoadTable reads an
// operator's corrected copy, DefaultTableJSON is the starting point), the
// 25 SONO statuses verbatim with number, phase, terminal flag and outcome
// exactly as in docs/STATUSES.md, and the product's own states queued, sending,
// sent and failed-delivery (terminal: dead letter). A Status outside the
// table is an unknown SONO status: kept verbatim, flagged, not terminal,
// so the form keeps being polled until SONO says something we know.
//
// # Moves
//
// The transition table is an ordered list of rules (also in table.json);
// the first rule that matches a (from, to) pair classifies it. Phases carry
// a rank: delivery 0, transport 1, intake 2, accepted 3, rejected 3,
// posting 4, withdrawn 5. With the default rules a move is:
//
//   - Expected: staying in the same state; the delivery path queued →
//     sending → sent (sending → queued on a transient failure, queued or
//     sending → failed-delivery, queued → sent when the attempt was not
//     seen); sent → any SONO status (SONO is authoritative from then on);
//     a SONO status → a terminal SONO status of a later-or-equal phase
//     rank; a SONO status → a non-terminal SONO status of the same or the
//     next rank (any order inside a phase: the order of statuses within a
//     phase is not something SONO documents); an unknown status → any SONO
//     status (it cannot be ordered); failed-delivery → queued, the
//     operator's replay of a dead letter.
//   - Unexpected: backwards (to a lower rank, or from a SONO status back to
//     a delivery state, or sent → failed-delivery) or skipping (a SONO
//     status before sent, or a non-terminal SONO status two or more ranks
//     ahead, e.g. Отправлена → Принята without any intake status).
//   - Unknown: the target is not in the table.
//   - Forbidden: out of a terminal state to anything else. This rule comes
//     before Unknown, so terminal → unknown is Forbidden (the entry still
//     carries FlagUnknown).
//
// testdata/transitions.golden lists the class of every pair of states plus
// one unknown status; go test -update rewrites it after a table change.
//
// # SONO is authoritative
//
// Every move SONO reports is applied and recorded; the class only sets
// flags on the history entry and, cumulatively, on the form. That includes
// a move out of a terminal SONO status: the newest status wins. Keeping
// the first terminal status would make the product show something SONO no
// longer says (a form reported Обработана and then Сторнирована is
// reversed, whatever we saw first), and the history keeps both, flagged
// Forbidden, for an operator to look at. If the newer status is not
// terminal the form re-enters the poll schedule. The same holds after a
// dead letter: a SONO status for a dead-lettered form means the gateway had
// the form after all, which is exactly what an operator must see.
//
// A caller's own moves are held to the table: Transition refuses, with
// ErrTerminal, a Forbidden move whose target is a product state, so no
// caller can revive a finished form; the replay rule is the only way
// back. (The poller records SONO's moves with ApplyReceipt and Apply. The
// worker does not use this store: what keeps it from resending a filed
// or dead-lettered form is its delivery journal in JetStream KV, see
// internal/delivery.)
//
// # Store
//
// One bbolt file with buckets forms (id → Form), history (id ‖ 0 ‖ seq →
// Entry), outbox (history keys of unpublished entries), schedule (next poll as sign-flipped big-endian UnixNano ‖ id),
// counts (state → number of forms) and meta (schema version). Each call is
// one write transaction that updates all of them together, so the schedule
// and the counters always agree with the forms, and Transition is a
// compare-and-set: bbolt admits one writer at a time and the expected
// state is checked inside the transaction.
//
// Apply takes the whole history a status poll returned and records only
// entries it has not recorded before (same status, same SONO time), in
// SONO time order; an entry older than the newest applied one is recorded
// as Late without moving the state. ApplyReceipt is idempotent on the
// request id. So a receipt delivered twice, or a poll repeated after a
// crash, changes nothing. The notices of a status answer (the tax
// office's notifications) are kept on the form by number in the same
// transaction; a new one gets a history entry of its own (Entry.Notice,
// From = To = the current state) so that it goes through the outbox like
// a move, and one seen again is skipped.
//
// Due walks the schedule from its first key and stops at the first entry
// in the future: O(log n + due) regardless of how many forms are waiting.
// A form is in the schedule from sent until it is terminal; after a poll
// that brought news the next poll is Backoff.NextPoll(0) away, otherwise
// the step grows, exponentially up to Backoff.Max, with optional jitter.
// Claim does the same as Due but leases the forms it returns, for several
// pollers. A poll that got no answer is reported with PollFailed: it
// backs off on its own counter (Failures) and leaves the no-news step
// alone. The clock is injected (Options.Clock) so tests drive time.
//
// # Outbox and rebuilding
//
// Every history entry is also written, in its transaction, to the outbox
// bucket (the entry's history key), where it stays until the caller has
// published it and calls DoneAll; Pending hands out each form's unpublished
// entries with the form as it stood, so a crash between recording and
// publishing loses nothing. Restore is the way back from another copy of
// a form's state (the board): it takes a form at a given state and
// sequence with one "rebuild" entry, never moves a form backwards, and
// records SONO's time of that state so that the next poll does not
// replay SONO's older entries.
package statusfsm
