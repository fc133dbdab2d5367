package delivery_test

import (
	"strings"

	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/ids"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestWorkerGraceOnServerClock: the attempt in flight was journaled by a
// worker whose clock is an hour slow, and is checked by one whose clock
// is an hour fast. Comparing their wall clocks, the grace period looks
// two hours over and SONO would be asked at once; judged on JetStream's
// timestamps, the checking worker waits the grace period out from the
// journal write before it asks.
func TestWorkerGraceOnServerClock(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	r.policy.Grace = 1500 * time.Millisecond
	form := r.signedForm(t, envelope.KindRegular, 1_000_000)
	msgID := ids.UUID()
	if o := r.client.Send(ctx, msgID, element(t, form)); o.Receipt == nil || o.Receipt.Error != nil {
		t.Fatalf("direct send: %v", o)
	}
	slow := time.Now().Add(-time.Hour)
	j := delivery.NewJournal(r.board)
	written := time.Now()
	if _, err := j.Save(ctx, "sub-skew", &delivery.Record{State: "sending", FirstAttempt: slow,
		InFlight: &delivery.Attempt{MessageID: msgID, At: slow}}, 0); err != nil {
		t.Fatal(err)
	}
	r.publish(t, "sub-skew", form, envelope.KindRegular)
	receipts := reader(t, r.js, streams.Status)
	stop := r.runChecked(t, func(c *delivery.Config) {
		c.Clock = func() time.Time { return time.Now().Add(time.Hour) }
	})
	rc := nextReceipt(t, receipts, 15*time.Second)
	took := time.Since(written)
	stop()
	if rc.MessageID != msgID {
		t.Errorf("receipt %+v, want the in-flight attempt's %s", rc, msgID)
	}
	if took < r.policy.Grace {
		t.Errorf("SONO was asked %v after the attempt was journaled, within the %v grace period", took, r.policy.Grace)
	}
	if st := r.sim.Stats(); st.Requests[envelope.ServiceSend] != 1 || st.FilingsAccepted != 1 {
		t.Errorf("sandbox %+v", st)
	}
}

// TestWorkerLeaseOfAnotherMessage: the same form was submitted twice
// (two messages) and the first is being handled elsewhere: its lease
// names its stream sequence, and the message is still in the work queue.
// The worker that gets the second message sends nothing and naks until
// the lease is released and the first message is gone, then finds the
// journal free. No clock is compared. A lease naming a message that is
// no longer in the queue is void at once.
func TestWorkerLeaseOfAnotherMessage(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	const ackWait = 500 * time.Millisecond
	cons, err := r.js.CreateOrUpdateConsumer(ctx, streams.Submissions, jetstream.ConsumerConfig{
		Durable: streams.ConsumerWorker, AckPolicy: jetstream.AckExplicitPolicy, AckWait: ackWait,
		MaxDeliver: streams.MaxDeliverWorker, MaxAckPending: 8, FilterSubject: streams.SubmitPrefix + ">",
	})
	if err != nil {
		t.Fatal(err)
	}
	form := r.signedForm(t, envelope.KindRegular, 1_000_000)
	r.publish(t, "sub-leased", form, envelope.KindRegular)
	// The other worker: it holds the first message, unacknowledged.
	first, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	holding := make(chan struct{})
	held := make(chan struct{})
	go func() {
		defer close(held)
		tick := time.NewTicker(ackWait / 5)
		defer tick.Stop()
		for {
			select {
			case <-holding:
				return
			case <-tick.C:
				first.InProgress() // the holder is still at work
			}
		}
	}()
	md, err := first.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	j := delivery.NewJournal(r.board)
	if _, err := j.Save(ctx, "sub-leased", &delivery.Record{Lease: "other-worker", LeaseSeq: md.Sequence.Stream, LeaseDelivery: 1}, 0); err != nil {
		t.Fatal(err)
	}
	again := nats.NewMsg(first.Subject())
	again.Data = form
	for k, v := range first.Headers() {
		again.Header[k] = v
	}
	again.Header.Set(jetstream.MsgIDHeader, "sub-leased:again")
	if _, err := r.js.PublishMsg(ctx, again); err != nil {
		t.Fatal(err)
	}
	receipts := reader(t, r.js, streams.Status)
	stop := r.runChecked(t, func(c *delivery.Config) { c.AckWait = ackWait })

	// Wait until the worker has had the second message twice.
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.Delivered.Consumer >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not redelivered: %+v", info.Delivered)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
	}
	if st := r.sim.Stats(); st.Requests[envelope.ServiceSend] != 0 {
		t.Fatalf("sent while another message held the lease: %v", st.Requests)
	}
	// The holder dies without releasing; its message leaves the queue.
	close(holding)
	<-held
	if err := first.Term(); err != nil {
		t.Fatal(err)
	}
	if rc := nextReceipt(t, receipts, 15*time.Second); rc.ID != "sub-leased" {
		t.Errorf("receipt %+v", rc)
	}
	stop()
	if st := r.sim.Stats(); st.Requests[envelope.ServiceSend] != 1 || st.FilingsAccepted != 1 {
		t.Errorf("sandbox %+v", st)
	}
}

// TestWorkerEventNotLost: the status event of a filed form, which
// carries its receipt, cannot be published (SALYQ_STATUS is gone): the
// worker does not ack, the redelivery finds the form journaled as sent,
// publishes the event, and sends nothing again.
func TestWorkerEventNotLost(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	r.policy.InfraDelay = 50 * time.Millisecond
	info, err := r.set.Status.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.js.DeleteStream(ctx, streams.Status); err != nil {
		t.Fatal(err)
	}
	stop := r.runChecked(t)
	r.publish(t, "sub-event", r.signedForm(t, envelope.KindRegular, 1_000_000), envelope.KindRegular)

	// Filed and journaled as sent, while the event has nowhere to go.
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec, _, err := delivery.NewJournal(r.board).Load(ctx, "sub-event")
		if err != nil {
			t.Fatal(err)
		}
		if rec.State == "sent" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not journaled as sent: %+v", rec)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
	}
	if _, err := r.js.CreateStream(ctx, info.Config); err != nil {
		t.Fatal(err)
	}
	receipts := reader(t, r.js, streams.Status)
	if rc := nextReceipt(t, receipts, 15*time.Second); rc.ID != "sub-event" {
		t.Errorf("receipt %+v", rc)
	}
	settle(t, r.js, 5*time.Second)
	stop()
	events := reader(t, r.js, streams.Status)
	ev := next(t, events, 5*time.Second)
	if !strings.Contains(string(ev.Data()), `"to":"sent"`) || !strings.Contains(string(ev.Data()), `"id":"sub-event"`) {
		t.Errorf("event %s", ev.Data())
	}
	if st := r.sim.Stats(); st.Requests[envelope.ServiceSend] != 1 || st.FilingsAccepted != 1 {
		t.Errorf("sandbox %+v", st)
	}
}
