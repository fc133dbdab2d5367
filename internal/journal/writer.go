package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/streams"
)

// Writer publishes records to SALYQ_JOURNAL. A nil Writer records
// nothing. It is safe for concurrent use.
type Writer struct {
	js      jetstream.JetStream
	secrets []string
}

// NewWriter returns a writer publishing through js that scrubs secrets
// (the sender password) from every record besides the password element.
func NewWriter(js jetstream.JetStream, secrets ...string) *Writer {
	return &Writer{js: js, secrets: secrets}
}

// Record publishes the exchange of o, if it made one (see New).
func (w *Writer) Record(ctx context.Context, id, taxpayer, requestID string, o gateway.Outcome) error {
	r, ok := New(id, taxpayer, requestID, o)
	if !ok {
		return nil
	}
	return w.Write(ctx, r)
}

// Write redacts r and publishes it on its taxpayer's journal subject. Its
// messageId is the message's id, so that a publish retried after a lost
// acknowledgement is stored once.
func (w *Writer) Write(ctx context.Context, r Record) error {
	if w == nil {
		return nil
	}
	r.Request = Redact(r.Request, w.secrets...)
	r.Answer = Redact(r.Answer, w.secrets...)
	// XML stays readable in the stored JSON, not \u003c-escaped.
	var data bytes.Buffer
	enc := json.NewEncoder(&data)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	m := nats.NewMsg(streams.JournalSubject(r.Taxpayer))
	m.Data = data.Bytes()
	m.Header.Set(streams.HeaderID, r.ID)
	switch {
	case r.Delay():
		// One delay entry per form: a sweep repeated after a crash, or by
		// a poller that took over, is stored once within the duplicate
		// window (the board's mark keeps it once beyond).
		m.Header.Set(jetstream.MsgIDHeader, "journal:delay:"+r.ID)
	case r.MessageID != "":
		m.Header.Set(jetstream.MsgIDHeader, "journal:"+r.MessageID)
	}
	if _, err := w.js.PublishMsg(ctx, m); err != nil {
		return fmt.Errorf("journal: %s %s: %w", r.Service, r.MessageID, err)
	}
	return nil
}
