package poller_test

import (
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// TestOnePollOneEvent: a first poll that finds a form final, with all of
// SONO's statuses new, publishes one status event carrying every change
// in its Steps, not an event per change; the board's History gives the
// changes one by one, as the store recorded them.
func TestOnePollOneEvent(t *testing.T) {
	var offset atomic.Int64 // the sandbox's clock runs ahead by this much
	r := newRigWith(t, time.Second, func(c *sonosim.Config) {
		c.Clock = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	})
	ids := r.file(3)
	offset.Store(int64(time.Hour)) // every status of every form reached
	store := r.openStore(filepath.Join(r.dir, "status.db"))
	r.startPoller("p", store, 3*time.Second, true)
	eventually(t, 20*time.Second, "board, store and last event agree", func() string { return r.disagreement(store, ids) })

	evs, err := r.events()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		hist, err := store.History(id)
		if err != nil {
			t.Fatal(err)
		}
		var moves []statusfsm.Status // what the poll recorded
		for _, e := range hist {
			if e.Source == statusfsm.SourcePoll && e.Notice == nil && !e.Late {
				moves = append(moves, e.To)
			}
		}
		if len(moves) < 2 {
			t.Fatalf("%s: the poll recorded %v; the test wants several statuses at once", id, moves)
		}
		var polled int
		for _, ev := range evs {
			if ev.ID != id || ev.Seq == 0 || ev.Kind != "" {
				continue
			}
			polled++
			var got []statusfsm.Status
			for _, c := range ev.Changes() {
				got = append(got, c.To)
			}
			if !slices.Equal(got, moves) || ev.To != moves[len(moves)-1] {
				t.Errorf("%s: event to %s with changes %v, want %v", id, ev.To, got, moves)
			}
		}
		if polled != 1 {
			t.Errorf("%s: %d status events from the poll, want 1", id, polled)
		}
		h, err := r.board.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []statusfsm.Status
		for _, e := range h {
			if e.Kind == "" {
				got = append(got, e.To)
			}
		}
		if want := append([]statusfsm.Status{statusfsm.StateSent}, moves...); !slices.Equal(got, want) {
			t.Errorf("%s: history %v, want %v", id, got, want)
		}
	}
}
