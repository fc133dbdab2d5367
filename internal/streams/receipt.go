package streams

import "time"

// Receipt is the body of a message on SALYQ_RECEIPTS: SONO took the form
// under RequestID. The worker publishes it with Nats-Msg-Id
// "receipt:<id>", so a receipt published twice is stored once.
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
