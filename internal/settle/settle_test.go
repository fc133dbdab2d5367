package settle_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/settle"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
)

var ctx = context.Background()

// world is a real nats-server with salyq's streams, a consumer of
// submissions with a small MaxDeliver, and a settler for it.
type world struct {
	js      jetstream.JetStream
	set     *streams.Set
	cons    jetstream.Consumer
	settler *settle.Settler
}

func newWorld(t *testing.T, maxDeliver int) *world {
	t.Helper()
	js, set := testkit.JetStream(t)
	cons, err := js.CreateOrUpdateConsumer(ctx, streams.Submissions, jetstream.ConsumerConfig{
		Durable: "settle-test", AckPolicy: jetstream.AckExplicitPolicy, AckWait: 30 * time.Second, MaxDeliver: maxDeliver,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &world{js: js, set: set, cons: cons, settler: settle.New(settle.Config{
		JS: js, DLQ: set.DLQ, MaxDeliver: maxDeliver, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})}
}

func (w *world) publish(t *testing.T, id string) {
	t.Helper()
	m := nats.NewMsg(streams.SubmitPrefix + "900101300123")
	m.Data = []byte("<fno/>")
	m.Header.Set(streams.HeaderID, id)
	if _, err := w.js.PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
}

func (w *world) next(t *testing.T) jetstream.Msg {
	t.Helper()
	m, err := w.cons.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatalf("no delivery: %v", err)
	}
	return m
}

// letters returns the dead letters.
func (w *world) letters(t *testing.T) []*jetstream.RawStreamMsg {
	t.Helper()
	info, err := w.set.DLQ.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []*jetstream.RawStreamMsg
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := w.set.DLQ.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// drained waits until the consumer has nothing pending or unacknowledged.
func (w *world) drained(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		info, err := w.cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.NumPending == 0 && info.NumAckPending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pending %d, ack pending %d", info.NumPending, info.NumAckPending)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, with a deadline
	}
}

// TestSettleMaxDeliveries: a message retried on every delivery is
// dead-lettered with reason "max deliveries" on its last one instead of
// staying undone when JetStream stops delivering it.
func TestSettleMaxDeliveries(t *testing.T) {
	w := newWorld(t, 3)
	w.publish(t, "sub-loop")
	for i := 1; i <= 3; i++ {
		m := w.next(t)
		md, _ := m.Metadata()
		if int(md.NumDelivered) != i {
			t.Fatalf("delivery %d numbered %d", i, md.NumDelivered)
		}
		if err := w.settler.Settle(ctx, m, settle.Action{Verdict: settle.Retry, Delay: time.Millisecond, Reason: "journal down", ID: "sub-loop"}); err != nil {
			t.Fatal(err)
		}
	}
	w.drained(t)
	dls := w.letters(t)
	if len(dls) != 1 {
		t.Fatalf("%d dead letters, want 1", len(dls))
	}
	dl := dls[0]
	if dl.Subject != streams.DLQPrefix+"sub-loop" || !strings.HasPrefix(dl.Header.Get(streams.HeaderReason), "max deliveries (3): journal down") {
		t.Errorf("dead letter on %s: %q", dl.Subject, dl.Header.Get(streams.HeaderReason))
	}
	// Done with: at the consumer's ack floor, where the workers' purge
	// takes it (SALYQ_SUBMISSIONS keeps messages until then).
	info, err := w.cons.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.AckFloor.Stream != 1 {
		t.Errorf("ack floor %d: the message is not done with", info.AckFloor.Stream)
	}
}

// TestSettleVerdicts: ack removes the message; a poison dead letter with
// an unusable id goes to salyq.dlq.poison with its reason prefixed; a
// dead letter is not published twice for one stored message.
func TestSettleVerdicts(t *testing.T) {
	w := newWorld(t, 10)
	w.publish(t, "sub-ack")
	if err := w.settler.Settle(ctx, w.next(t), settle.Action{Verdict: settle.Ack}); err != nil {
		t.Fatal(err)
	}
	w.publish(t, strings.Repeat("x", 4100))
	m := w.next(t)
	act := settle.Action{Verdict: settle.DeadLetter, Poison: true, Reason: "Salyq-Id: too long", ID: m.Headers().Get(streams.HeaderID)}
	if err := w.settler.Settle(ctx, m, act); err != nil {
		t.Fatal(err)
	}
	w.drained(t)
	dls := w.letters(t)
	if len(dls) != 1 {
		t.Fatalf("%d dead letters, want 1", len(dls))
	}
	if dls[0].Subject != settle.PoisonSubject || dls[0].Header.Get(streams.HeaderReason) != "poison: Salyq-Id: too long" ||
		dls[0].Header.Get(streams.HeaderAttempts) != "1" || dls[0].Header.Get(streams.HeaderOriginalSubject) != streams.SubmitPrefix+"900101300123" {
		t.Errorf("dead letter %s %v", dls[0].Subject, dls[0].Header)
	}
	if w.js.Conn().Status() != nats.CONNECTED {
		t.Error("connection lost")
	}
}

// TestSettleDeadLetterPublishFails: without the dead-letter stream the
// message is naked, never terminated, and comes back; once the stream is
// there again it is dead-lettered.
func TestSettleDeadLetterPublishFails(t *testing.T) {
	w := newWorld(t, 10)
	cfg, err := w.set.DLQ.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.js.DeleteStream(ctx, streams.DLQ); err != nil {
		t.Fatal(err)
	}
	w.publish(t, "sub-dl")
	act := settle.Action{Verdict: settle.DeadLetter, Reason: "permanent", ID: "sub-dl"}
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := w.settler.Settle(short, w.next(t), act); !errors.Is(err, settle.ErrDeadLetter) {
		t.Fatalf("Settle: %v, want ErrDeadLetter", err)
	}
	dlq, err := w.js.CreateStream(ctx, cfg.Config)
	if err != nil {
		t.Fatal(err)
	}
	w.set.DLQ = dlq
	m := w.next(t) // redelivered after the nak
	if md, _ := m.Metadata(); md.NumDelivered != 2 {
		t.Errorf("delivery %d, want 2", md.NumDelivered)
	}
	if err := w.settler.Settle(ctx, m, act); err != nil {
		t.Fatal(err)
	}
	w.drained(t)
	if n := len(w.letters(t)); n != 1 {
		t.Errorf("%d dead letters, want 1", n)
	}
}

func TestVerdictString(t *testing.T) {
	for v, s := range map[settle.Verdict]string{settle.Ack: "ack", settle.Retry: "retry", settle.DeadLetter: "dead-letter", settle.Verdict(9): "verdict(9)"} {
		if v.String() != s {
			t.Errorf("%d prints %q, want %q", int(v), v.String(), s)
		}
	}
}
