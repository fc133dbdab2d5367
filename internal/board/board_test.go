package board_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testkit"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/statusfsm"
)

var ctx = context.Background()

// newBoard provisions the layout on a real nats-server in the test
// process (random loopback port, temp store).
func newBoard(t *testing.T) (*board.Board, *streams.Set) {
	t.Helper()
	js, set := testkit.JetStream(t)
	return board.New(js, set), set
}

var t0 = time.Date(2025, 7, 15, 10, 0, 0, 0, time.UTC)

func TestGetUnknown(t *testing.T) {
	b, _ := newBoard(t)
	if _, err := b.Get(ctx, "nope"); !errors.Is(err, board.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestSetCreateGet(t *testing.T) {
	b, _ := newBoard(t)
	queued := board.View{ID: "s1", Taxpayer: "900101300011", Form: "910.00", Status: "queued", Updated: t0}
	sent := board.View{ID: "s1", Taxpayer: "900101300011", Form: "910.00", Status: "sent", RequestID: "r1", Updated: t0.Add(time.Second)}

	steps := []struct {
		name   string
		do     func() error
		status statusfsm.Status // expected status of s1 afterwards
	}{
		{"create a new one", func() error { return b.Create(ctx, queued, &board.Event{ID: "s1", To: "queued", At: t0}) }, "queued"},
		{"set overwrites", func() error {
			return b.Set(ctx, sent, &board.Event{ID: "s1", From: "queued", To: "sent", At: t0.Add(time.Second)})
		}, "sent"},
		{"create does nothing on a known one", func() error {
			return b.Create(ctx, queued, &board.Event{ID: "s1", To: "queued", At: t0.Add(2 * time.Second)})
		}, "sent"},
		{"set without an event", func() error { v := sent; v.Status = "accepted"; return b.Set(ctx, v, nil) }, "accepted"},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		v, err := b.Get(ctx, "s1")
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if v.Status != s.status {
			t.Fatalf("%s: status %q, want %q", s.name, v.Status, s.status)
		}
	}
	v, _ := b.Get(ctx, "s1")
	if v.Taxpayer != sent.Taxpayer || v.RequestID != "r1" || !v.Updated.Equal(sent.Updated) {
		t.Errorf("view not stored as given: %+v", v)
	}
	// The ignored Create published no event.
	h, err := b.History(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if got := tos(h); fmt.Sprint(got) != "[queued sent]" {
		t.Errorf("history %v, want [queued sent]", got)
	}
}

func TestHistoryInOrder(t *testing.T) {
	b, set := newBoard(t)
	want := []statusfsm.Status{"queued", "sending", "sent", "RECEIVED", "PROCESSING", "ACCEPTED"}
	for i, to := range want {
		at := t0.Add(time.Duration(i) * time.Second)
		if err := b.Set(ctx, board.View{ID: "a", Status: to, Updated: at}, &board.Event{ID: "a", To: to, At: at}); err != nil {
			t.Fatal(err)
		}
		// Another submission's events interleave; they must not show.
		if err := b.Set(ctx, board.View{ID: "b", Status: to}, &board.Event{ID: "b", To: "other-" + to, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	// Republishing the same change is harmless.
	if err := b.Set(ctx, board.View{ID: "a", Status: "ACCEPTED"}, &board.Event{ID: "a", To: "ACCEPTED", At: t0.Add(5 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	h, err := b.History(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(tos(h)) != fmt.Sprint(want) {
		t.Errorf("history %v, want %v", tos(h), want)
	}
	for i, ev := range h {
		if ev.ID != "a" || !ev.At.Equal(t0.Add(time.Duration(i)*time.Second)) {
			t.Errorf("event %d: %+v", i, ev)
		}
	}
	if h, err := b.History(ctx, "unknown"); err != nil || len(h) != 0 {
		t.Errorf("history of an unknown id: %v, %v", h, err)
	}
	// A lookup leaves no consumer on SALYQ_STATUS: each one would be
	// matched against every event published after it.
	info, err := set.Status.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Consumers != 0 {
		t.Errorf("SALYQ_STATUS after two lookups: %d consumers", info.State.Consumers)
	}
}

func TestAll(t *testing.T) {
	b, _ := newBoard(t)
	for i := range 5 {
		if err := b.Set(ctx, board.View{ID: fmt.Sprintf("id%d", i), Status: "queued"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	all, err := b.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 {
		t.Errorf("All returned %d views, want 5", len(all))
	}
}

// TestAdvanceConcurrent: writers racing with different sequence numbers
// leave the highest one, whatever the order they arrive in.
func TestAdvanceConcurrent(t *testing.T) {
	b, _ := newBoard(t)
	const writers = 12
	seqs := rand.Perm(writers)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	start := make(chan struct{})
	for _, s := range seqs {
		seq := uint64(s + 1)
		wg.Go(func() {
			<-start
			v := board.View{ID: "x", Status: statusfsm.Status(fmt.Sprintf("S%d", seq)), Seq: seq}
			errs <- b.Advance(ctx, v, []*board.Event{{ID: "x", To: v.Status, At: t0.Add(time.Duration(seq))}})
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	v, err := b.Get(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if v.Seq != writers || v.Status != statusfsm.Status(fmt.Sprintf("S%d", writers)) {
		t.Errorf("after concurrent Advance: seq %d status %q, want %d", v.Seq, v.Status, writers)
	}
}

func TestAdvanceKeepsNewest(t *testing.T) {
	b, _ := newBoard(t)
	steps := []struct {
		seq    uint64
		status statusfsm.Status
		want   statusfsm.Status
	}{
		{3, "PROCESSING", "PROCESSING"}, // creates
		{2, "RECEIVED", "PROCESSING"},   // older: ignored
		{3, "OTHER", "PROCESSING"},      // same seq: ignored
		{5, "ACCEPTED", "ACCEPTED"},     // newer: taken
	}
	for _, s := range steps {
		if err := b.Advance(ctx, board.View{ID: "y", Status: s.status, Seq: s.seq}, nil); err != nil {
			t.Fatal(err)
		}
		v, err := b.Get(ctx, "y")
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != s.want {
			t.Errorf("after seq %d %s: status %q, want %q", s.seq, s.status, v.Status, s.want)
		}
	}
}

func tos(h []board.Event) []statusfsm.Status {
	var out []statusfsm.Status
	for _, e := range h {
		out = append(out, e.To)
	}
	return out
}

// TestViews: one pass over the bucket yields every record with a view,
// including those with a delivery section, and none without a view.
func TestViews(t *testing.T) {
	b, _ := newBoard(t)
	want := map[string]bool{}
	for i := range 300 {
		id := fmt.Sprintf("v%03d", i)
		want[id] = true
		if err := b.Advance(ctx, board.View{ID: id, Status: "sent", RequestID: "r" + id, Seq: uint64(i + 1)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// A journal without a view yet (the worker came first) is not shown.
	if _, err := b.Store(ctx, "journal-only", board.Record{Delivery: []byte(`{"state":""}`)}, 0); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	err := b.Views(ctx, func(v board.View) error {
		if got[v.ID] {
			t.Errorf("%s twice", v.ID)
		}
		got[v.ID] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || got["journal-only"] {
		t.Fatalf("Views gave %d records, want %d", len(got), len(want))
	}
	stop := errors.New("stop")
	n := 0
	if err := b.Views(ctx, func(board.View) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("fn's error: %v after %d", err, n)
	}
}

// TestAdvanceEventsCarrySeq: the events Advance publishes keep their
// sequence for subscribers, and the view is stored after them.
func TestAdvanceEventsCarrySeq(t *testing.T) {
	b, _ := newBoard(t)
	v := board.View{ID: "e", Taxpayer: "900101300011", Status: "Доставлена", Seq: 3}
	evs := []*board.Event{
		{ID: "e", From: "sent", To: "Отправлена", At: t0, Seq: 2},
		{ID: "e", From: "Отправлена", To: "Доставлена", At: t0.Add(time.Second), Seq: 3},
	}
	if err := b.Advance(ctx, v, evs); err != nil {
		t.Fatal(err)
	}
	h, err := b.History(ctx, "e")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Seq != 2 || h[1].Seq != 3 || h[1].To != "Доставлена" || h[1].Taxpayer != v.Taxpayer {
		t.Fatalf("history %+v", h)
	}
}
