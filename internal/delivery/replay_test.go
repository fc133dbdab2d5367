package delivery_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// TestReplay: dead letters are listed with their reason, and a replayed
// one goes back to the worker with a fresh journal record: here SONO
// refuses it again (the cause was not fixed), so it comes back to the
// dead letters, once.
func TestReplay(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	receipts := reader(t, r.js, streams.Status)
	stop := r.run(t, 1)
	r.publish(t, "sub-first", r.signedForm(t, envelope.KindRegular, 1_000_000), envelope.KindRegular)
	nextReceipt(t, receipts, 15*time.Second)
	second := r.publish(t, "sub-second", r.signedForm(t, envelope.KindRegular, 2_000_000), envelope.KindRegular)
	letters := waitLetters(t, r, 1)
	stop()

	l := letters[0]
	if l.ID != second.id || l.Code != envelope.CodeDuplicate || !strings.Contains(l.Reason, envelope.CodeDuplicate) ||
		l.OriginalSubject != streams.SubmitSubject(testkit.MustKeys(t).Taxpayer.Identity().IIN) || l.Attempts != 1 || l.At.IsZero() {
		t.Fatalf("letter %+v", l)
	}

	n, err := delivery.Replay(ctx, r.js, r.set, r.board, func(id string) bool { return id == second.id }, time.Now)
	if err != nil || n != 1 {
		t.Fatalf("Replay: %d, %v", n, err)
	}
	if left, err := delivery.DeadLetters(ctx, r.js); err != nil || len(left) != 0 {
		t.Fatalf("after replay: %d letters, %v", len(left), err)
	}
	rec, _, err := delivery.NewJournal(r.board).Load(ctx, second.id)
	if err != nil || rec.State != "" || rec.Attempts != 0 || rec.Reason != "" {
		t.Errorf("journal after replay %+v %v", rec, err)
	}
	if v, err := r.board.Get(ctx, second.id); err != nil || v.Status != "queued" || v.Terminal {
		t.Errorf("board after replay %+v %v", v, err)
	}

	stop = r.run(t, 1)
	letters = waitLetters(t, r, 1)
	stop()
	if letters[0].ID != second.id {
		t.Errorf("letter %+v", letters[0])
	}
	if st := r.sim.Stats(); st.FilingsAccepted != 1 || st.Requests[envelope.ServiceSend] != 3 {
		t.Errorf("sandbox %+v", st)
	}
	// Nothing matches: nothing replayed.
	if n, err := delivery.Replay(ctx, r.js, r.set, r.board, func(string) bool { return false }, time.Now); err != nil || n != 0 {
		t.Errorf("Replay of nothing: %d, %v", n, err)
	}
}

// waitLetters waits until the dead-letter stream holds n letters:
// polling a condition, with a deadline.
func waitLetters(t *testing.T, r *rig, n int) []delivery.Letter {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ls, err := delivery.DeadLetters(ctx, r.js)
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) >= n {
			return ls
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d dead letters after 15s, want %d", len(ls), n)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
	}
}

// TestReplaySkipsPoison: a poison dead letter has no usable id; replaying
// everything leaves it where it is, for an operator to read.
func TestReplaySkipsPoison(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	stop := r.run(t, 1)
	m := nats.NewMsg(streams.SubmitSubject(testkit.MustKeys(t).Taxpayer.Identity().IIN))
	m.Data = []byte("<x/>")
	m.Header.Set(streams.HeaderID, strings.Repeat("x", 100))
	if _, err := r.js.PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	letters := waitLetters(t, r, 1)
	stop()
	if letters[0].ID != "poison" || !strings.HasPrefix(letters[0].Reason, "poison: ") {
		t.Fatalf("letter %+v", letters[0])
	}
	if n, err := delivery.Replay(ctx, r.js, r.set, r.board, func(string) bool { return true }, time.Now); err != nil || n != 0 {
		t.Errorf("Replay of a poison letter: %d, %v", n, err)
	}
	if left, err := delivery.DeadLetters(ctx, r.js); err != nil || len(left) != 1 {
		t.Errorf("after replay: %d letters, %v", len(left), err)
	}
}

// TestReplaySkipsStatusEvents: a status event the poller dead-lettered
// (its receipt was unusable) names a real submission; replaying
// everything leaves the letter, and the submission's record, alone.
func TestReplaySkipsStatusEvents(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	iin := testkit.MustKeys(t).Taxpayer.Identity().IIN
	v := board.View{ID: "sub-filed", Taxpayer: iin, Status: statusfsm.StateSent, RequestID: "req-1", Seq: 1, Updated: time.Now()}
	if err := r.board.Set(ctx, v, nil); err != nil {
		t.Fatal(err)
	}
	m := nats.NewMsg(streams.DLQPrefix + "sub-filed")
	m.Data = []byte(`{"id":"sub-filed","to":"sent","receipt":{"id":"sub-filed","taxpayer":"` + iin + `"}}`)
	m.Header.Set(streams.HeaderID, "sub-filed")
	m.Header.Set(streams.HeaderOriginalSubject, streams.StatusSubject(iin))
	m.Header.Set(streams.HeaderReason, "poison: bad receipt: requestId: empty")
	if _, err := r.js.PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	waitLetters(t, r, 1)
	if n, err := delivery.Replay(ctx, r.js, r.set, r.board, func(string) bool { return true }, time.Now); err != nil || n != 0 {
		t.Errorf("Replay of a dead-lettered status event: %d, %v", n, err)
	}
	if left, err := delivery.DeadLetters(ctx, r.js); err != nil || len(left) != 1 {
		t.Errorf("after replay: %d letters, %v", len(left), err)
	}
	if got, err := r.board.Get(ctx, "sub-filed"); err != nil || got.Status != statusfsm.StateSent || got.RequestID != "req-1" {
		t.Errorf("board after replay %+v %v", got, err)
	}
}
