package poller

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/settle"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// receiptRetry is the wait before a receipt the store could not record
// comes back.
const receiptRetry = time.Second

// receipt records a delivery receipt; a receipt delivered twice changes
// nothing. Every receipt is settled through one settle.Settler: recorded
// → ack; unusable (unreadable, or an id, request id, taxpayer or header
// that fails the boundary checks) → dead letter with reason poison;
// the store failed → retry, until the last deliveries, then dead letter.
func (p *Poller) receipt(ctx context.Context, msg jetstream.Msg) {
	act := p.recordReceipt(ctx, msg)
	if err := p.settler.Settle(ctx, msg, act); err != nil {
		p.cfg.Log.Warn("settling receipt", "subject", msg.Subject(), "verdict", act.Verdict, "err", err)
	}
}

// recordReceipt applies a receipt to the store and says how to settle it.
func (p *Poller) recordReceipt(ctx context.Context, msg jetstream.Msg) settle.Action {
	r, err := parseReceipt(msg)
	if err != nil {
		return settle.Action{Verdict: settle.DeadLetter, Poison: true, Reason: err.Error(), ID: r.ID}
	}
	e, changed, err := p.cfg.Store.ApplyReceipt(ctx, r.ID, statusfsm.Receipt{
		RequestID: r.RequestID, MessageID: r.MessageID, Taxpayer: r.Taxpayer,
		FormCode: r.Form, Period: r.Period, Kind: r.Kind, At: r.SentAt,
	})
	if err == nil {
		if changed {
			p.transition(e.To)
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

// parseReceipt reads a receipt and checks every field before it becomes
// a key or a subject. The returned receipt's ID is kept only if valid,
// so that a dead letter of a bad one lands on a valid subject.
func parseReceipt(msg jetstream.Msg) (streams.Receipt, error) {
	var r streams.Receipt
	if err := json.Unmarshal(msg.Data(), &r); err != nil {
		return streams.Receipt{}, fmt.Errorf("%w: %w", ErrBadReceipt, err)
	}
	if err := streams.CheckID(r.ID); err != nil {
		return streams.Receipt{}, fmt.Errorf("%w: %w", ErrBadReceipt, &streams.FieldError{Field: "id", Err: err})
	}
	if sub := strings.TrimPrefix(msg.Subject(), streams.ReceiptPrefix); sub != r.ID {
		return r, fmt.Errorf("%w: subject names submission %q, body %q", ErrBadReceipt, logToken(sub), r.ID)
	}
	if r.RequestID == "" {
		return r, fmt.Errorf("%w: %w", ErrBadReceipt, &streams.FieldError{Field: "requestId", Err: fmt.Errorf("empty")})
	}
	if err := streams.CheckTaxpayer(r.Taxpayer); err != nil {
		return r, fmt.Errorf("%w: %w", ErrBadReceipt, &streams.FieldError{Field: "taxpayer", Err: err})
	}
	for _, f := range []struct{ name, v string }{
		{"requestId", r.RequestID}, {"messageId", r.MessageID}, {"form", r.Form}, {"period", r.Period}, {"kind", r.Kind},
	} {
		if err := streams.CheckHeader(f.v); err != nil {
			return r, fmt.Errorf("%w: %w", ErrBadReceipt, &streams.FieldError{Field: f.name, Err: err})
		}
	}
	return r, nil
}

// logToken bounds an untrusted subject token in a reason.
func logToken(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
