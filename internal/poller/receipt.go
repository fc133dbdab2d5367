package poller

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/settle"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// receiptRetry is the wait before a receipt the store could not record
// comes back.
const receiptRetry = time.Second

// receiptsAtOnce bounds the status events handled at once.
const receiptsAtOnce = 64

// receipt records the receipt a status event carries (the worker's sent
// event, board.Event); an event delivered twice changes nothing. An
// event without a receipt is acknowledged at once, and is not counted as
// settled: the poller's deliveries count receipts. Every other event is
// settled through one settle.Settler: recorded → ack; unusable
// (unreadable, or an id, request id, taxpayer or field that fails the
// boundary checks) → dead letter with reason poison; the store failed →
// retry, until the last deliveries, then dead letter.
func (p *Poller) receipt(ctx context.Context, msg jetstream.Msg) {
	r, found, err := parseReceipt(msg)
	if err == nil && !found {
		if err := msg.Ack(); err != nil {
			p.cfg.Log.Warn("acknowledging status event", "subject", msg.Subject(), "err", err)
		}
		return
	}
	act := p.recordReceipt(ctx, msg, r, err)
	if err := p.settler.Settle(ctx, msg, act); err != nil {
		p.cfg.Log.Warn("settling status event", "subject", msg.Subject(), "verdict", act.Verdict, "err", err)
	}
}

// recordReceipt applies the receipt r that msg carries (or the error of
// reading it) to the store and says how to settle the event.
func (p *Poller) recordReceipt(ctx context.Context, msg jetstream.Msg, r streams.Receipt, bad error) settle.Action {
	if bad != nil {
		return settle.Action{Verdict: settle.DeadLetter, Poison: true, Reason: bad.Error(), ID: r.ID}
	}
	e, changed, err := p.cfg.Store.ApplyReceipt(ctx, r.ID, statusfsm.Receipt{
		RequestID: r.RequestID, MessageID: r.MessageID, Taxpayer: r.Taxpayer,
		FormCode: r.Form, Period: r.Period, Kind: r.Kind, At: r.SentAt,
	})
	if err == nil {
		if changed {
			p.transition(e.To)
			p.wake() // the receipt's entry waits in the outbox
		}
		return settle.Action{Verdict: settle.Ack, ID: r.ID}
	}
	p.cfg.Log.Warn("recording receipt", "id", r.ID, "err", err)
	reason := "recording receipt: " + err.Error()
	if p.settler.LastDeliveries(msg) {
		return settle.Action{Verdict: settle.DeadLetter, Reason: "max deliveries: " + reason, ID: r.ID}
	}
	return settle.Action{Verdict: settle.Retry, Delay: receiptRetry, Reason: reason, ID: r.ID}
}

// parseReceipt reads a status event and checks every field of its
// receipt before it becomes a key or a subject; found is false for an
// event without one. The returned receipt's ID is kept only if valid, so
// that a dead letter of a bad one lands on a valid subject.
func parseReceipt(msg jetstream.Msg) (r streams.Receipt, found bool, err error) {
	var ev struct {
		ID      string           `json:"id"`
		Receipt *streams.Receipt `json:"receipt"`
	}
	if err := json.Unmarshal(msg.Data(), &ev); err != nil {
		return streams.Receipt{}, true, fmt.Errorf("%w: %w", ErrBadReceipt, err)
	}
	if ev.Receipt == nil {
		return streams.Receipt{}, false, nil
	}
	r = *ev.Receipt
	if err := streams.CheckID(r.ID); err != nil {
		return streams.Receipt{}, true, fmt.Errorf("%w: %w", ErrBadReceipt, &streams.FieldError{Field: "id", Err: err})
	}
	if r.ID != ev.ID {
		return r, true, fmt.Errorf("%w: event of submission %q, receipt of %q", ErrBadReceipt, logToken(ev.ID), r.ID)
	}
	if err := streams.CheckTaxpayer(r.Taxpayer); err != nil {
		return r, true, fmt.Errorf("%w: %w", ErrBadReceipt, &streams.FieldError{Field: "taxpayer", Err: err})
	}
	if sub := msg.Subject(); sub != streams.StatusSubject(r.Taxpayer) {
		return r, true, fmt.Errorf("%w: subject %q is not taxpayer %s's", ErrBadReceipt, logToken(sub), r.Taxpayer)
	}
	if r.RequestID == "" {
		return r, true, fmt.Errorf("%w: %w", ErrBadReceipt, &streams.FieldError{Field: "requestId", Err: fmt.Errorf("empty")})
	}
	for _, f := range []struct{ name, v string }{
		{"requestId", r.RequestID}, {"messageId", r.MessageID}, {"form", r.Form}, {"period", r.Period}, {"kind", r.Kind},
	} {
		if err := streams.CheckHeader(f.v); err != nil {
			return r, true, fmt.Errorf("%w: %w", ErrBadReceipt, &streams.FieldError{Field: f.name, Err: err})
		}
	}
	return r, true, nil
}

// logToken bounds an untrusted subject token in a reason.
func logToken(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
