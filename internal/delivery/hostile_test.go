package delivery_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/ids"
	settlepkg "github.com/salyq/salyq/internal/settle"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestWorkerHostileMessages: submission messages no worker can use are
// dead-lettered as poison, on a subject that is always valid, and
// terminated; the worker keeps running and delivers a good submission
// published after them; nothing bad reaches SONO.
func TestWorkerHostileMessages(t *testing.T) {
	iinOf := func(t *testing.T) string { return testkit.MustKeys(t).Taxpayer.Identity().IIN }
	tests := []struct {
		name    string
		header  func(t *testing.T, h nats.Header)
		body    []byte
		subject string // of the dead letter
		reason  string
	}{
		{"over-long Salyq-Id", func(t *testing.T, h nats.Header) { h.Set(streams.HeaderID, strings.Repeat("x", 4100)) }, nil,
			settlepkg.PoisonSubject, "poison: Salyq-Id"},
		{"wildcard Salyq-Id", func(t *testing.T, h nats.Header) { h.Set(streams.HeaderID, "a.>") }, nil,
			settlepkg.PoisonSubject, "poison: Salyq-Id"},
		{"no Salyq-Id", func(t *testing.T, h nats.Header) { h.Del(streams.HeaderID) }, nil,
			settlepkg.PoisonSubject, "poison: Salyq-Id"},
		{"NUL in Salyq-Taxpayer", func(t *testing.T, h nats.Header) { h.Set(streams.HeaderTaxpayer, iinOf(t)[:11]+"\x00") }, nil,
			streams.DLQPrefix + "sub-hostile", "poison: Salyq-Taxpayer"},
		{"NUL in Salyq-Period", func(t *testing.T, h nats.Header) { h.Set(streams.HeaderPeriod, "2025\x00H1") }, nil,
			streams.DLQPrefix + "sub-hostile", "poison: Salyq-Period"},
		{"over-long Salyq-Form", func(t *testing.T, h nats.Header) { h.Set(streams.HeaderForm, strings.Repeat("9", 5000)) }, nil,
			streams.DLQPrefix + "sub-hostile", "poison: Salyq-Form"},
		{"non-XML body", func(t *testing.T, h nats.Header) {}, []byte("this is not xml"),
			streams.DLQPrefix + "sub-hostile", "poison: bad submission message: body is not a form"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, sonosim.Faults{})
			dlq := reader(t, r.js, streams.DLQ)
			receipts := reader(t, r.js, streams.Status)
			stop := r.runChecked(t)

			body := tc.body
			if body == nil {
				body = r.signedForm(t, envelope.KindRegular, 1_000_000)
			}
			m := nats.NewMsg(streams.SubmitSubject(iinOf(t)))
			m.Data = body
			m.Header.Set(jetstream.MsgIDHeader, "hostile")
			m.Header.Set(streams.HeaderID, "sub-hostile")
			m.Header.Set(streams.HeaderTaxpayer, iinOf(t))
			m.Header.Set(streams.HeaderForm, "910.00")
			m.Header.Set(streams.HeaderPeriod, "2025-H1")
			m.Header.Set(streams.HeaderKind, string(envelope.KindRegular))
			tc.header(t, m.Header)
			if _, err := r.js.PublishMsg(ctx, m); err != nil {
				t.Fatal(err)
			}
			dl := next(t, dlq, 10*time.Second)
			if dl.Subject() != tc.subject {
				t.Errorf("dead letter on %q, want %q", dl.Subject(), tc.subject)
			}
			if got := dl.Headers().Get(streams.HeaderReason); !strings.HasPrefix(got, tc.reason) {
				t.Errorf("reason %q, want it to start with %q", got, tc.reason)
			}
			if dl.Headers().Get(streams.HeaderOriginalSubject) != m.Subject {
				t.Errorf("original subject %q", dl.Headers().Get(streams.HeaderOriginalSubject))
			}

			// Still serving: a good form published after it is filed.
			good := r.publish(t, "sub-good", r.signedForm(t, envelope.KindRegular, 2_000_000), envelope.KindRegular)
			if rc := nextReceipt(t, receipts, 15*time.Second); rc.ID != good.id {
				t.Errorf("receipt for %s, want %s", rc.ID, good.id)
			}
			settle(t, r.js, 5*time.Second)
			stop()
			if st := r.sim.Stats(); st.Requests[envelope.ServiceSend] != 1 || st.FilingsAccepted != 1 {
				t.Errorf("sandbox %+v: want only the good form sent", st)
			}
			if st := r.js.Conn().Status(); st != nats.CONNECTED {
				t.Errorf("connection %v", st)
			}
		})
	}
}

// TestWorkerExitsWhenConsumerStops: a worker whose connection is closed
// for good returns an error (the process exits non-zero and is
// restarted), not nil.
func TestWorkerExitsWhenConsumerStops(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	nc, js, err := broker.Connect(r.js.Conn().ConnectedUrl(), "doomed-worker")
	if err != nil {
		t.Fatal(err)
	}
	w, err := delivery.New(ctx, delivery.Config{
		JS: js, Streams: r.set, Gateway: r.client, Keys: r.keys, Board: r.board, Policy: r.policy,
		AckWait: 30 * time.Second, Name: "doomed", Log: testLog(),
	})
	if err != nil {
		t.Fatal(err)
	}
	receipts := reader(t, r.js, streams.Status)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	// A delivered form shows Run is consuming before the connection goes.
	r.publish(t, "sub-before", r.signedForm(t, envelope.KindRegular, 3), envelope.KindRegular)
	nextReceipt(t, receipts, 10*time.Second)
	nc.Close()
	select {
	case err := <-done:
		if !errors.Is(err, delivery.ErrStopped) {
			t.Errorf("Run returned %v, want ErrStopped", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its connection closed")
	}
}

// TestWorkerMaxDeliveries: an attempt is in flight and every status check
// fails (the gateway answers 503): on its last deliveries the submission
// is dead-lettered with reason "max deliveries", saying the form may be
// filed, and the journal and the board show failed-delivery.
func TestWorkerMaxDeliveries(t *testing.T) {
	r := newRig(t, sonosim.Faults{HTTP503Rate: 1})
	now := time.Now()
	j := delivery.NewJournal(r.board)
	if _, err := j.Save(ctx, "sub-max", &delivery.Record{State: "sending", FirstAttempt: now,
		InFlight: &delivery.Attempt{MessageID: ids.UUID(), At: now}}, 0); err != nil {
		t.Fatal(err)
	}
	r.publish(t, "sub-max", r.signedForm(t, envelope.KindRegular, 1_000_000), envelope.KindRegular)
	dlq := reader(t, r.js, streams.DLQ)
	stop := r.runChecked(t, func(c *delivery.Config) { c.MaxDeliver = streams.DeadLetterSpare + 2 })
	dl := next(t, dlq, 15*time.Second)
	settle(t, r.js, 5*time.Second)
	stop()
	reason := dl.Headers().Get(streams.HeaderReason)
	if !strings.HasPrefix(reason, "max deliveries: ") || !strings.Contains(reason, "may be filed") {
		t.Errorf("reason %q", reason)
	}
	rec, _, err := j.Load(ctx, "sub-max")
	if err != nil || rec.State != "failed-delivery" || rec.InFlight == nil {
		t.Errorf("journal %+v %v: want failed-delivery with the attempt kept", rec, err)
	}
	if v, err := r.board.Get(ctx, "sub-max"); err != nil || v.Status != "failed-delivery" || !v.Terminal {
		t.Errorf("board %+v %v", v, err)
	}
	if st := r.sim.Stats(); st.Requests[envelope.ServiceSend] != 0 || st.FilingsAccepted != 0 {
		t.Errorf("sandbox %+v: sent with an attempt unresolved", st)
	}
}
