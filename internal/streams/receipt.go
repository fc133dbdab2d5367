package streams

import "time"

// Receipt says that SONO took a form under RequestID. The worker puts it
// on the form's sent event on SALYQ_STATUS (board.Event), which the
// poller consumes: the event is stored once whatever the repeats (its
// Nats-Msg-Id), and the poller records a receipt idempotently.
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
