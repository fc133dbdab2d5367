package delivery_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/statusfsm"
)

func TestJournalLoadSave(t *testing.T) {
	js, set := startStreams(t)
	j := delivery.NewJournal(board.New(js, set))

	r, rev, err := j.Load(ctx, "unknown")
	if err != nil || rev != 0 || r.State != "" || r.InFlight != nil || r.Attempts != 0 {
		t.Fatalf("Load of an unknown id: %+v rev %d err %v; want an empty record, revision 0", r, rev, err)
	}

	at := time.Date(2025, 7, 15, 10, 0, 0, 0, time.UTC)
	rec := delivery.Record{Attempts: 1, FirstAttempt: at, InFlight: &delivery.Attempt{MessageID: "m1", At: at}, Lease: "w1", LeaseSeq: 7, LeaseDelivery: 2}
	rev1, err := j.Save(ctx, "s1", &rec, 0)
	if err != nil || rev1 == 0 {
		t.Fatalf("create: rev %d err %v", rev1, err)
	}
	got, rev, err := j.Load(ctx, "s1")
	if err != nil || rev != rev1 {
		t.Fatalf("Load after create: rev %d (want %d) err %v", rev, rev1, err)
	}
	if got.Attempts != 1 || got.InFlight == nil || got.InFlight.MessageID != "m1" || !got.InFlight.At.Equal(at) ||
		!got.FirstAttempt.Equal(at) || got.Lease != "w1" || got.LeaseSeq != 7 || got.LeaseDelivery != 2 ||
		got.Written.IsZero() || !got.InFlight.Stamp.Equal(got.Written) {
		t.Errorf("record not kept: %+v", got)
	}

	got.State, got.RequestID, got.MessageID, got.InFlight = statusfsm.StateSent, "req-1", "m1", nil
	rev2, err := j.Save(ctx, "s1", &got, rev1)
	if err != nil || rev2 <= rev1 {
		t.Fatalf("update: rev %d err %v", rev2, err)
	}
	got, rev, _ = j.Load(ctx, "s1")
	if rev != rev2 || got.State != statusfsm.StateSent || got.RequestID != "req-1" || got.InFlight != nil {
		t.Errorf("after update: %+v rev %d", got, rev)
	}

	stale := []struct {
		name string
		rev  uint64
	}{{"create over an existing record", 0}, {"update from a stale revision", rev1}, {"update from a future revision", rev2 + 10}}
	for _, s := range stale {
		if _, err := j.Save(ctx, "s1", &delivery.Record{}, s.rev); !errors.Is(err, delivery.ErrConflict) {
			t.Errorf("%s: err %v, want ErrConflict", s.name, err)
		}
	}
	if got, _, _ := j.Load(ctx, "s1"); got.State != statusfsm.StateSent {
		t.Errorf("a refused Save changed the record: %+v", got)
	}
	// An update of a record that does not exist is a conflict too.
	if _, err := j.Save(ctx, "s2", &delivery.Record{}, 5); !errors.Is(err, delivery.ErrConflict) {
		t.Errorf("update of a missing record: err %v, want ErrConflict", err)
	}
}

// TestJournalConcurrentSave: ten writers holding the same revision; one
// wins, nine are told ErrConflict — for a create and for an update.
func TestJournalConcurrentSave(t *testing.T) {
	js, set := startStreams(t)
	j := delivery.NewJournal(board.New(js, set))
	race := func(t *testing.T, rev uint64) uint64 {
		t.Helper()
		const writers = 10
		var wg sync.WaitGroup
		start := make(chan struct{})
		revs := make([]uint64, writers)
		errs := make([]error, writers)
		for i := range writers {
			wg.Go(func() {
				<-start
				revs[i], errs[i] = j.Save(ctx, "s", &delivery.Record{Lease: string(rune('a' + i))}, rev)
			})
		}
		close(start)
		wg.Wait()
		winner, won := -1, uint64(0)
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("two writers won: %d and %d", winner, i)
			case err == nil:
				winner, won = i, revs[i]
			case !errors.Is(err, delivery.ErrConflict):
				t.Errorf("writer %d: %v, want ErrConflict", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("nobody won")
		}
		r, rev, err := j.Load(ctx, "s")
		if err != nil || rev != won || r.Lease != string(rune('a'+winner)) {
			t.Fatalf("stored %+v rev %d, want the winner's (%d, rev %d)", r, rev, winner, won)
		}
		return won
	}
	rev := race(t, 0)
	race(t, rev)
}

// TestJournalSharesTheBoardRecord: the journal and the board's view are one
// key; each writer keeps what the other wrote, and a stale revision from
// either side is a conflict.
func TestJournalSharesTheBoardRecord(t *testing.T) {
	js, set := startStreams(t)
	b := board.New(js, set)
	j := delivery.NewJournal(b)
	at := time.Date(2025, 7, 15, 10, 0, 0, 0, time.UTC)

	if err := b.Create(ctx, board.View{ID: "s1", Taxpayer: "900101300011", Status: "queued", Updated: at}, nil); err != nil {
		t.Fatal(err)
	}
	rec, rev, err := j.Load(ctx, "s1")
	if err != nil || rev == 0 || rec.View == nil || rec.View.Status != "queued" || rec.State != "" {
		t.Fatalf("Load of a queued submission: %+v rev %d err %v", rec, rev, err)
	}
	rec.Lease, rec.InFlight = "w1", &delivery.Attempt{MessageID: "m1", At: at}
	if rev, err = j.Save(ctx, "s1", &rec, rev); err != nil {
		t.Fatal(err)
	}
	if v, err := b.Get(ctx, "s1"); err != nil || v.Status != "queued" || v.Taxpayer != "900101300011" {
		t.Errorf("view after a journal save: %+v %v", v, err)
	}

	if err := b.Advance(ctx, board.View{ID: "s1", Taxpayer: "900101300011", Status: "Принята", Seq: 3}, nil); err != nil {
		t.Fatal(err)
	}
	got, rev2, err := j.Load(ctx, "s1")
	if err != nil || got.Lease != "w1" || got.InFlight == nil || got.InFlight.MessageID != "m1" || got.View.Status != "Принята" {
		t.Errorf("record after the board advanced: %+v %v", got, err)
	}
	if rev2 == rev {
		t.Fatal("the board's write did not move the revision")
	}
	// Stale only because the board wrote the view: the save goes through
	// and keeps the board's view.
	stale := rec
	stale.Attempts = 1
	if _, err := j.Save(ctx, "s1", &stale, rev); err != nil {
		t.Fatalf("save stale by the board's write alone: %v", err)
	}
	if got, _, _ := j.Load(ctx, "s1"); got.Attempts != 1 || got.View == nil || got.View.Status != "Принята" {
		t.Errorf("after the save: %+v, want the attempt and the board's view", got)
	}
	// Stale because the journal changed: a conflict.
	if _, err := j.Save(ctx, "s1", &rec, rev2); !errors.Is(err, delivery.ErrConflict) {
		t.Errorf("save from a journal another writer changed: %v, want ErrConflict", err)
	}
}

// TestBoardCreateBesideJournal: a worker that journaled a submission before
// the intake wrote its queued view does not keep the view out.
func TestBoardCreateBesideJournal(t *testing.T) {
	js, set := startStreams(t)
	b := board.New(js, set)
	j := delivery.NewJournal(b)
	if _, err := j.Save(ctx, "s1", &delivery.Record{Lease: "w1"}, 0); err != nil {
		t.Fatal(err)
	}
	if err := b.Create(ctx, board.View{ID: "s1", Taxpayer: "900101300011", Status: "queued"}, &board.Event{ID: "s1", To: "queued"}); err != nil {
		t.Fatal(err)
	}
	rec, _, err := j.Load(ctx, "s1")
	if err != nil || rec.Lease != "w1" || rec.View == nil || rec.View.Status != "queued" {
		t.Errorf("record: %+v %v; want the worker's lease and the queued view", rec, err)
	}
	if h, err := b.History(ctx, "s1"); err != nil || len(h) != 1 {
		t.Errorf("history %v %v, want the queued event", h, err)
	}
	// A second Create changes nothing and publishes nothing.
	if err := b.Create(ctx, board.View{ID: "s1", Taxpayer: "900101300011", Status: "other"}, &board.Event{ID: "s1", To: "other"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Get(ctx, "s1"); v.Status != "queued" {
		t.Errorf("view %q after a second Create, want queued", v.Status)
	}
	if h, _ := b.History(ctx, "s1"); len(h) != 1 {
		t.Errorf("%d events after a second Create, want 1", len(h))
	}
}

// TestJournalLegacyState: a journal written before the lifecycle states
// said "dead"; it loads as failed-delivery, so the worker never sends it.
// An invalid id never reaches NATS.
func TestJournalLegacyState(t *testing.T) {
	js, set := startStreams(t)
	b := board.New(js, set)
	if _, err := b.Store(ctx, "old", board.Record{Delivery: []byte(`{"state":"dead","reason":"DUPLICATE"}`)}, 0); err != nil {
		t.Fatal(err)
	}
	rec, _, err := delivery.NewJournal(b).Load(ctx, "old")
	if err != nil || rec.State != statusfsm.StateFailedDelivery || rec.Reason != "DUPLICATE" {
		t.Errorf("legacy record %+v %v", rec, err)
	}
	if _, _, err := delivery.NewJournal(b).Load(ctx, "a.*"); !errors.Is(err, streams.ErrInvalidID) {
		t.Errorf("Load of a wildcard id: %v, want ErrInvalidID", err)
	}
}
