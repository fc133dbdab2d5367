package statusfsm

import (
	"strings"
	"time"
)

// Form is what the store knows about one submission.
type Form struct {
	// ID is the submission id, the store key.
	ID string `json:"id"`
	// State is the current state.
	State Status `json:"state"`
	// RequestID is the gateway's request id, known from sent on.
	RequestID string `json:"request_id,omitempty"`
	// MessageID is the messageId of the SendMessage that delivered the form.
	MessageID string `json:"message_id,omitempty"`
	// Taxpayer is the IIN/BIN of the taxpayer.
	Taxpayer string `json:"taxpayer,omitempty"`
	// FormCode, Period and Kind identify the tax form (e.g. 910.00, 2025-2, initial).
	FormCode string `json:"form_code,omitempty"`
	Period   string `json:"period,omitempty"`
	Kind     string `json:"kind,omitempty"`
	// Attempts counts moves to sending.
	Attempts int `json:"attempts"`
	// NextPoll is when the form is due for a status poll; zero means it is
	// not in the schedule (not sent yet, or terminal).
	NextPoll time.Time `json:"next_poll,omitzero"`
	// PollStep counts polls since the last change; it drives Backoff.
	PollStep int `json:"poll_step"`
	// Polls counts Apply calls.
	Polls int `json:"polls"`
	// Failures counts polls in a row that got no answer (PollFailed); it
	// spaces the retries and is reset by the next answer.
	Failures int `json:"failures,omitempty"`
	// Flags accumulates the flags of every recorded move.
	Flags Flags `json:"flags"`
	// Message is the message of the last recorded move (the dead-letter
	// reason, SONO's text).
	Message string `json:"message,omitempty"`
	// LastEventAt is SONO's time of the newest applied SONO history entry.
	LastEventAt time.Time `json:"last_event_at,omitzero"`
	// RestoredTo is LastEventAt as Restore found it: SONO history entries
	// up to this time are summed up by the restored state and are not
	// recorded again one by one.
	RestoredTo time.Time `json:"restored_to,omitzero"`
	// Created and Updated are store clock times.
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Final is the store clock time the form reached a terminal state;
	// Options.NoticeWatch counts from it.
	Final time.Time `json:"final,omitzero"`
	// Seq is the sequence number of the newest history entry: the number
	// of entries, unless Restore skipped ahead.
	Seq uint64 `json:"seq"`
	// Notices are the tax office's notices about the form, in the order
	// they were first seen, one per number.
	Notices []Notice `json:"notices,omitempty"`
	// Registration is SONO's registration number of the form, once a
	// status answer carried one.
	Registration string `json:"registration,omitempty"`
}

// Notice is a notice the tax office issued about a form (a SONO
// notification: refusal, violations found by desk audit…).
type Notice struct {
	// Number is the tax office's number; it identifies the notice, so a
	// notice SONO returns again is not a new one.
	Number string `json:"number"`
	// Type is SONO's type, verbatim.
	Type string `json:"type"`
	// At is the notice's date as SONO gave it.
	At   time.Time `json:"at"`
	Text string    `json:"text,omitempty"`
}

// hasNotice reports whether f keeps a notice numbered number.
func (f *Form) hasNotice(number string) bool {
	for _, n := range f.Notices {
		if n.Number == number {
			return true
		}
	}
	return false
}

// Flags mark forms and history entries an operator should look at.
type Flags uint8

// Flag bits.
const (
	// FlagUnexpected marks an Unexpected move.
	FlagUnexpected Flags = 1 << iota
	// FlagUnknown marks a status not in the table.
	FlagUnknown
	// FlagForbidden marks a move out of a terminal state.
	FlagForbidden
)

// String lists the set flags, e.g. "unexpected|unknown"; "" when none.
func (f Flags) String() string {
	var parts []string
	if f&FlagUnexpected != 0 {
		parts = append(parts, "unexpected")
	}
	if f&FlagUnknown != 0 {
		parts = append(parts, "unknown")
	}
	if f&FlagForbidden != 0 {
		parts = append(parts, "forbidden")
	}
	return strings.Join(parts, "|")
}

// flagsOf maps a move class (and whether the target is unknown) to flags.
func flagsOf(m Move, unknownTarget bool) Flags {
	var f Flags
	switch m {
	case Unexpected:
		f |= FlagUnexpected
	case Forbidden:
		f |= FlagForbidden
	case Unknown:
		f |= FlagUnknown
	}
	if unknownTarget {
		f |= FlagUnknown
	}
	return f
}

// Entry is one recorded transition of a form.
type Entry struct {
	// Seq numbers the entries of one form from 1.
	Seq uint64 `json:"seq"`
	// From is the state before; empty for the entry that created the form.
	From Status `json:"from"`
	// To is the state reported.
	To Status `json:"to"`
	// At is when it happened according to the source (SONO's timestamp),
	// or the store clock when the source gave none.
	At time.Time `json:"at"`
	// Recorded is the store clock when the entry was written.
	Recorded time.Time `json:"recorded"`
	// Source names who reported it: "intake", "worker", "receipt", "poll",
	// "operator", "rebuild"…
	Source string `json:"source"`
	// Message is free text: SONO's message, a dead-letter reason.
	Message string `json:"message,omitempty"`
	// Move is the class of From → To.
	Move Move `json:"move"`
	// Flags are the flags this entry raised.
	Flags Flags `json:"flags"`
	// Late marks a SONO history entry older than the newest one already
	// applied: it is recorded for completeness but did not change the state.
	Late bool `json:"late,omitempty"`
	// EventKey identifies a SONO history entry (status and SONO time) so
	// that re-applied histories are recognised.
	EventKey string `json:"event_key,omitempty"`
	// Notice, when set, makes this entry the arrival of a tax office
	// notice rather than a move: From and To are both the state the form
	// was in, and it goes through the outbox like a move so that the
	// notice is published at least once.
	Notice *Notice `json:"notice,omitempty"`
}

// Meta describes who reports a transition and what comes with it.
type Meta struct {
	// Source names the reporter; see Entry.Source.
	Source string
	// Message is free text recorded with the entry.
	Message string
	// At is when it happened according to the source; zero means now.
	At time.Time
	// RequestID and MessageID, when not empty, are stored on the form.
	RequestID string
	MessageID string
}

// Event is one entry of the status history SONO returns for a form.
type Event struct {
	Status  Status
	At      time.Time
	Message string
}

// Receipt is a delivery receipt published by a worker once the gateway
// acknowledged a form.
type Receipt struct {
	RequestID string
	MessageID string
	Taxpayer  string
	FormCode  string
	Period    string
	Kind      string
	// At is when the gateway acknowledged; zero means now.
	At time.Time
}
