package client

import "time"

// Submission is an accepted form.
type Submission struct {
	// ID is the submission id: the same for the same form.
	ID string `json:"id"`
	// Duplicate is set when the form had been submitted before.
	Duplicate bool   `json:"duplicate"`
	Taxpayer  string `json:"taxpayer"`
	Form      string `json:"form"`
	Period    string `json:"period"`
	Kind      string `json:"kind"`
	// Batch is the batch this call put the form in; empty without one
	// and for a duplicate (it stays in its first batch).
	Batch string `json:"batch,omitempty"`
}

// Status is a submission's latest state and its history.
type Status struct {
	ID       string `json:"id"`
	Taxpayer string `json:"taxpayer,omitempty"`
	Form     string `json:"form,omitempty"`
	Period   string `json:"period,omitempty"`
	Kind     string `json:"kind,omitempty"`
	// Status is queued, sending, sent, failed-delivery, or SONO's status
	// verbatim.
	Status string `json:"status"`
	// Terminal is set once no further change will come.
	Terminal bool `json:"terminal"`
	// Outcome classifies a terminal status: accepted, rejected,
	// withdrawn, attention or failed.
	Outcome   string    `json:"outcome,omitempty"`
	RequestID string    `json:"requestId,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Flagged   bool      `json:"flagged,omitempty"`
	Updated   time.Time `json:"updated"`
	// Notices are the tax office's notices about the form.
	Notices []Notice `json:"notices,omitempty"`
	// Delayed is set while the form has waited more than 24 hours for
	// SONO to accept it.
	Delayed *Delay `json:"delayed,omitempty"`
	// Seq is the poller's history sequence of the status; SonoAt SONO's
	// time of it.
	Seq    uint64    `json:"seq,omitempty"`
	SonoAt time.Time `json:"sonoAt,omitzero"`
	// Batch and BatchName are the batch the form came in, if any; Name
	// the taxpayer's name as the form gives it.
	Batch     string `json:"batch,omitempty"`
	BatchName string `json:"batchName,omitempty"`
	Name      string `json:"name,omitempty"`
	// Submitted is when salyq took the form, Filed when SONO took it.
	Submitted time.Time `json:"submitted,omitzero"`
	Filed     time.Time `json:"filed,omitzero"`
	// Registration is SONO's registration number of the form, once given.
	Registration string  `json:"registration,omitempty"`
	History      []Event `json:"history"`
}

// Delay is why a form SONO has not accepted waits, and since when (its
// submission, in Astana time). Cause is one of unavailable, maintenance,
// throttled, key, not-served, planned-break, unknown; Reason says it in
// words.
type Delay struct {
	Since  time.Time `json:"since"`
	Cause  string    `json:"cause"`
	Reason string    `json:"reason,omitempty"`
}

// Notice is a notice the tax office issued about a form (refusal,
// violations found by desk audit…), dated in Astana time.
type Notice struct {
	Number string    `json:"number"`
	Type   string    `json:"type"`
	At     time.Time `json:"at"`
	Text   string    `json:"text,omitempty"`
}

// EventNotice is the Kind of an event that brings a notice.
const EventNotice = "notice"

// EventDelayed is the Kind of the event told once a form has waited 24
// hours without SONO accepting it; the delay is in Delay.
const EventDelayed = "delayed"

// Event is one status change, or, with Kind EventNotice, the arrival of
// a notice, or, with Kind EventDelayed, a delay told.
type Event struct {
	ID       string    `json:"id"`
	Taxpayer string    `json:"taxpayer,omitempty"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to"`
	At       time.Time `json:"at"`
	Message  string    `json:"message,omitempty"`
	Flagged  bool      `json:"flagged,omitempty"`
	Seq      uint64    `json:"seq,omitempty"`
	Kind     string    `json:"kind,omitempty"`
	Notice   *Notice   `json:"notice,omitempty"`
	Delay    *Delay    `json:"delay,omitempty"`
	// Receipt is set on the event of a form SONO took (To "sent").
	Receipt *Receipt `json:"receipt,omitempty"`
	// Steps, on SALYQ_STATUS, are the status changes of one poll when it
	// brought several, oldest first: From is the first one's, To, At,
	// Message and Seq the last one's. A form's history has no Steps: it
	// lists each change as an Event of its own.
	Steps []Step `json:"steps,omitempty"`
}

// Step is one status change of an Event that brings several.
type Step struct {
	To      string    `json:"to"`
	At      time.Time `json:"at"`
	Message string    `json:"message,omitempty"`
	Flagged bool      `json:"flagged,omitempty"`
	Seq     uint64    `json:"seq,omitempty"`
}

// Receipt says that SONO took a form under RequestID, in the request
// whose messageId is MessageID.
type Receipt struct {
	ID        string    `json:"id"`
	RequestID string    `json:"requestId"`
	MessageID string    `json:"messageId"`
	Taxpayer  string    `json:"taxpayer"`
	Form      string    `json:"form"`
	Period    string    `json:"period"`
	Kind      string    `json:"kind"`
	SentAt    time.Time `json:"sentAt"`
}
