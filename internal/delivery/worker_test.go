package delivery_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/ids"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// TestWorkerLostAnswer: the sandbox files the form, then drops the
// connection without answering. The worker must not resend: it waits out
// the grace period, asks SONO by messageId, learns the request id, and
// publishes the receipt. The form is filed exactly once.
func TestWorkerLostAnswer(t *testing.T) {
	r := newRig(t, sonosim.Faults{DropAfterAcceptRate: 1})
	sub := r.publish(t, "sub-lost", r.signedForm(t, envelope.KindRegular, 1_000_000), envelope.KindRegular)
	receipts := reader(t, r.js, streams.Status)
	stop := r.run(t, 2)

	rc := nextReceipt(t, receipts, 15*time.Second)
	stop()

	st := r.sim.Stats()
	if st.FilingsAccepted != 1 || st.DuplicateFilings != 0 || st.Drops != 1 {
		t.Fatalf("sandbox: %d filings, %d duplicates, %d drops; want 1, 0, 1", st.FilingsAccepted, st.DuplicateFilings, st.Drops)
	}
	if st.Requests[envelope.ServiceSend] != 1 || st.Requests[envelope.ServiceStatus] < 1 {
		t.Errorf("requests %v: want one send and a status check", st.Requests)
	}
	f := r.sim.Filings()[0]
	if rc.ID != sub.id || rc.RequestID != f.RequestID || rc.MessageID != f.MessageID || rc.Taxpayer != f.Taxpayer || rc.Kind != string(envelope.KindRegular) {
		t.Errorf("receipt %+v does not match the filing %+v", rc, f)
	}
	rec, _, err := delivery.NewJournal(r.board).Load(ctx, sub.id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != statusfsm.StateSent || rec.RequestID != f.RequestID || rec.InFlight != nil || rec.Lease != "" {
		t.Errorf("journal %+v", rec)
	}
	v, err := r.board.Get(ctx, sub.id)
	if err != nil || v.Status != "sent" || v.RequestID != f.RequestID {
		t.Errorf("board view %+v, %v", v, err)
	}
	settle(t, r.js, 5*time.Second)
}

// TestWorkerPermanent: SONO refuses the second regular filing of a period
// (DUPLICATE): it is dead-lettered with the reason, the original subject
// and the attempt count, and terminated; the first is filed.
func TestWorkerPermanent(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	receipts := reader(t, r.js, streams.Status)
	dlq := reader(t, r.js, streams.DLQ)
	stop := r.run(t, 1)
	// One after the other: the worker handles several at once.
	first := r.publish(t, "sub-first", r.signedForm(t, envelope.KindRegular, 1_000_000), envelope.KindRegular)
	rc := nextReceipt(t, receipts, 15*time.Second)
	second := r.publish(t, "sub-second", r.signedForm(t, envelope.KindRegular, 2_000_000), envelope.KindRegular)
	dl := next(t, dlq, 15*time.Second)
	stop()

	if rc.ID != first.id {
		t.Errorf("receipt for %s, want %s", rc.ID, first.id)
	}
	h := dl.Headers()
	if dl.Subject() != streams.DLQPrefix+second.id || string(dl.Data()) != string(second.form) {
		t.Errorf("dead letter on %s, body intact %v", dl.Subject(), string(dl.Data()) == string(second.form))
	}
	if !strings.Contains(h.Get(streams.HeaderReason), envelope.CodeDuplicate) || h.Get(streams.HeaderCode) != envelope.CodeDuplicate ||
		h.Get(streams.HeaderOriginalSubject) != streams.SubmitSubject(testkit.MustKeys(t).Taxpayer.Identity().IIN) || h.Get(streams.HeaderAttempts) != "1" ||
		h.Get(streams.HeaderTaxpayer) == "" {
		t.Errorf("dead-letter headers %v", h)
	}
	if st := r.sim.Stats(); st.FilingsAccepted != 1 || st.Refusals[envelope.CodeDuplicate] != 1 || st.Requests[envelope.ServiceSend] != 2 {
		t.Errorf("sandbox %+v", st)
	}
	rec, _, _ := delivery.NewJournal(r.board).Load(ctx, second.id)
	if rec.State != statusfsm.StateFailedDelivery || !strings.Contains(rec.Reason, envelope.CodeDuplicate) {
		t.Errorf("journal %+v", rec)
	}
	v, err := r.board.Get(ctx, second.id)
	if err != nil || v.Status != "failed-delivery" || !v.Terminal || !strings.Contains(v.Reason, envelope.CodeDuplicate) {
		t.Errorf("board %+v %v", v, err)
	}
	settle(t, r.js, 5*time.Second)
}

// TestWorkerCrashMidSend: a worker journaled an attempt and crashed
// (its lease names the first delivery of the message, which this worker
// gets again).
// On redelivery the next worker asks SONO by the attempt's messageId
// before anything else: filed → receipt, no resend; never arrived
// (NOT_FOUND after the grace period) → one send.
func TestWorkerCrashMidSend(t *testing.T) {
	tests := []struct {
		name      string
		arrived   bool
		wantSends int64
	}{
		{"the attempt was filed", true, 1},
		{"the attempt never arrived", false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, sonosim.Faults{})
			form := r.signedForm(t, envelope.KindRegular, 1_000_000)
			msgID := ids.UUID()
			if tc.arrived {
				o := r.client.Send(ctx, msgID, element(t, form))
				if o.Receipt == nil || o.Receipt.Error != nil {
					t.Fatalf("direct send: %v", o)
				}
			}
			now := time.Now()
			j := delivery.NewJournal(r.board)
			if _, err := j.Save(ctx, "sub-crash", &delivery.Record{Attempts: 0, FirstAttempt: now,
				InFlight: &delivery.Attempt{MessageID: msgID, At: now}, Lease: "dead-worker", LeaseSeq: 1, LeaseDelivery: 1}, 0); err != nil {
				t.Fatal(err)
			}
			r.publish(t, "sub-crash", form, envelope.KindRegular)
			receipts := reader(t, r.js, streams.Status)
			stop := r.run(t, 2)
			rc := nextReceipt(t, receipts, 15*time.Second)
			stop()

			st := r.sim.Stats()
			if st.FilingsAccepted != 1 || st.DuplicateFilings != 0 {
				t.Fatalf("sandbox: %d filings, %d duplicates; want 1, 0", st.FilingsAccepted, st.DuplicateFilings)
			}
			if st.Requests[envelope.ServiceSend] != tc.wantSends {
				t.Errorf("%d sends, want %d", st.Requests[envelope.ServiceSend], tc.wantSends)
			}
			if st.Requests[envelope.ServiceStatus] < 1 {
				t.Error("no status check before deciding")
			}
			f := r.sim.Filings()[0]
			if rc.RequestID != f.RequestID {
				t.Errorf("receipt %+v, filing %+v", rc, f)
			}
			if tc.arrived && rc.MessageID != msgID {
				t.Errorf("receipt messageId %s, want the crashed attempt's %s", rc.MessageID, msgID)
			}
		})
	}
}

// TestWorkerFaultyGateway: a small batch through 503s, transient faults,
// lost answers and throttling: every form is filed exactly once.
func TestWorkerFaultyGateway(t *testing.T) {
	r := newRig(t, sonosim.Faults{HTTP503Rate: 0.2, TransientRate: 0.2, DropAfterAcceptRate: 0.3, ThrottleRPS: 20})
	const n = 8
	want := map[string]bool{}
	for i := range n {
		id := fmt.Sprintf("sub-%d", i)
		r.publish(t, id, r.signedForm(t, envelope.KindAdditional, 1000+i), envelope.KindAdditional)
		want[id] = true
	}
	receipts := reader(t, r.js, streams.Status)
	stop := r.run(t, 4)
	for range n {
		rc := nextReceipt(t, receipts, 20*time.Second)
		if !want[rc.ID] {
			t.Fatalf("unexpected or repeated receipt %s", rc.ID)
		}
		delete(want, rc.ID)
	}
	stop()
	st := r.sim.Stats()
	if st.FilingsAccepted != n || st.DuplicateFilings != 0 {
		t.Fatalf("sandbox: %d filings, %d duplicates; want %d, 0 (faults %v)", st.FilingsAccepted, st.DuplicateFilings, n, st.Faults)
	}
	if len(st.Faults) == 0 {
		t.Errorf("no fault was injected: %+v", st)
	}
	t.Logf("faults %v, requests %v", st.Faults, st.Requests)
	settle(t, r.js, 5*time.Second)
}

// TestWorkerBadMessage: a message that is not a form is dead-lettered,
// not retried forever.
func TestWorkerBadMessage(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	r.publish(t, "sub-garbage", []byte("this is not xml"), envelope.KindRegular)
	dlq := reader(t, r.js, streams.DLQ)
	stop := r.run(t, 1)
	dl := next(t, dlq, 15*time.Second)
	stop()
	if !strings.Contains(dl.Headers().Get(streams.HeaderReason), "not a form") {
		t.Errorf("reason %q", dl.Headers().Get(streams.HeaderReason))
	}
	if st := r.sim.Stats(); st.Requests[envelope.ServiceSend] != 0 {
		t.Errorf("garbage was sent: %v", st.Requests)
	}
	settle(t, r.js, 5*time.Second)
}

// TestWorkerDefaultClock: Config.Clock and Config.NewID are not marked
// required, and New defaults every other zero field.
func TestWorkerDefaultClock(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	w, err := delivery.New(ctx, delivery.Config{JS: r.js, Streams: r.set, Gateway: r.client, Keys: r.keys, Board: r.board, Policy: r.policy, Name: "w"})
	if err != nil {
		t.Fatal(err)
	}
	r.publish(t, "sub-clock", r.signedForm(t, envelope.KindRegular, 5), envelope.KindRegular)
	receipts := reader(t, r.js, streams.Status)
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	nextReceipt(t, receipts, 10*time.Second)
	cancel()
	<-done
}

// TestWorkerDeadLetterAfterLostPublish: the journal says dead but the dead
// letter never reached SALYQ_DLQ (its publish failed, or the worker died
// first). The redelivery publishes it and terminates the message, sending
// nothing to SONO.
func TestWorkerDeadLetterAfterLostPublish(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	j := delivery.NewJournal(r.board)
	if _, err := j.Save(ctx, "sub-dead", &delivery.Record{State: statusfsm.StateFailedDelivery, Reason: "DUPLICATE: already filed", Attempts: 2}, 0); err != nil {
		t.Fatal(err)
	}
	dlq := reader(t, r.js, streams.DLQ)
	form := r.signedForm(t, envelope.KindRegular, 1_000_000)
	r.publish(t, "sub-dead", form, envelope.KindRegular)
	stop := r.run(t, 1)
	dl := next(t, dlq, 15*time.Second)
	settle(t, r.js, 5*time.Second)
	stop()
	if dl.Subject() != streams.DLQPrefix+"sub-dead" || !strings.Contains(dl.Headers().Get(streams.HeaderReason), "DUPLICATE") ||
		dl.Headers().Get(streams.HeaderAttempts) != "3" {
		t.Errorf("dead letter %s %v", dl.Subject(), dl.Headers())
	}
	if st := r.sim.Stats(); st.Requests[envelope.ServiceSend] != 0 {
		t.Errorf("%d sends of a dead submission", st.Requests[envelope.ServiceSend])
	}
}
