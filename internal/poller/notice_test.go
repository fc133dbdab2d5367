package poller_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/sonosim"
)

// TestNoticesPublishedOnceThroughOutage: the sandbox issues notices while
// JetStream is down; the poller keeps each once in its store, by number,
// although later polls return it again, and once JetStream is back every
// notice reaches the board's view and SALYQ_STATUS exactly once, as an
// event of kind notice dated in Astana time.
func TestNoticesPublishedOnceThroughOutage(t *testing.T) {
	r := newRigWith(t, 300*time.Millisecond, func(c *sonosim.Config) {
		c.Weights = sonosim.Weights{Rejected: 1, Posted: 1}
	})
	store := r.openStore(filepath.Join(r.dir, "status.db"))
	p1 := r.startPoller("p1", store, 30*time.Second, true)
	ids := r.file(8)
	eventually(t, 10*time.Second, "receipts recorded", func() string {
		for _, id := range ids {
			if _, err := store.Get(id); err != nil {
				return err.Error()
			}
		}
		return ""
	})
	r.emb.Shutdown()
	eventually(t, 20*time.Second, "terminal in the store while JetStream is down", func() string {
		for _, id := range ids {
			if f, _ := store.Get(id); !store.Table().Terminal(f.State) {
				return id + " in " + string(f.State)
			}
		}
		return ""
	})
	want := map[string][]string{} // id → notice numbers in the store
	total := 0
	for _, id := range ids {
		f, _ := store.Get(id)
		for _, n := range f.Notices {
			want[id] = append(want[id], n.Number)
		}
		total += len(f.Notices)
		if f.State == "Не принята" && len(f.Notices) != 1 {
			t.Fatalf("%s refused with notices %+v", id, f.Notices)
		}
	}
	if total == 0 {
		t.Fatal("the sandbox issued no notice")
	}
	pending, err := store.Pending(100, nil)
	if err != nil {
		t.Fatal(err)
	}
	waiting := 0
	for _, pd := range pending {
		for _, e := range pd.Entries {
			if e.Notice != nil {
				waiting++
			}
		}
	}
	if waiting == 0 {
		t.Fatal("no notice waits in the outbox: the outage did not catch one")
	}
	r.startNATS()
	eventually(t, 30*time.Second, "board, store and last event agree", func() string { return r.disagreement(store, ids) })
	eventually(t, 10*time.Second, "outbox drained", func() string {
		if n, err := store.OutboxLen(); err != nil || n != 0 {
			return fmt.Sprintf("%d, %v", n, err)
		}
		return ""
	})

	// On the board: the store's notices, in Astana time.
	for _, id := range ids {
		v, err := r.board.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range v.Notices {
			got = append(got, n.Number)
			if _, off := n.At.Zone(); off != 5*3600 || n.Type == "" || n.Text == "" {
				t.Errorf("%s: board notice %+v", id, n)
			}
		}
		if !slices.Equal(got, want[id]) {
			t.Errorf("%s: board notices %v, store %v", id, got, want[id])
		}
	}
	// On SALYQ_STATUS: one event per notice.
	events, err := r.noticeEvents()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		var got []string
		for _, e := range events[id] {
			got = append(got, e.Notice.Number)
			// To is the status when the notice came: a desk audit
			// notice comes before posting ends.
			if e.To == "" || e.From != "" || e.Seq == 0 || e.Notice.Number == "" {
				t.Errorf("%s: notice event %+v", id, e)
			}
		}
		if !slices.Equal(got, want[id]) {
			t.Errorf("%s: notice events %v, store %v", id, got, want[id])
		}
	}
	t.Logf("%d notices over %d forms, %d waited in the outbox", total, len(ids), waiting)

	// A poller whose store is lost rebuilds it from the board, notices
	// included, and publishes none again.
	p1.wait(t)
	rebuilt := r.openStore(filepath.Join(r.dir, "rebuilt.db"))
	r.startPoller("p2", rebuilt, 30*time.Second, true)
	eventually(t, 10*time.Second, "notices rebuilt from the board", func() string {
		for _, id := range ids {
			f, err := rebuilt.Get(id)
			if err != nil {
				return err.Error()
			}
			var got []string
			for _, n := range f.Notices {
				got = append(got, n.Number)
			}
			if !slices.Equal(got, want[id]) {
				return fmt.Sprintf("%s: %v, want %v", id, got, want[id])
			}
		}
		return ""
	})
	again, err := r.noticeEvents()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if len(again[id]) != len(events[id]) {
			t.Errorf("%s: %d notice events after the rebuild, %d before", id, len(again[id]), len(events[id]))
		}
	}
}

// noticeEvents reads SALYQ_STATUS message by message and returns the
// notice events of every submission in stream order.
func (r *rig) noticeEvents() (map[string][]board.Event, error) {
	evs, err := r.events()
	if err != nil {
		return nil, err
	}
	out := map[string][]board.Event{}
	for i, e := range evs {
		if (e.Kind == board.EventNotice) != (e.Notice != nil) {
			return nil, fmt.Errorf("event %d: kind %q with notice %v", i+1, e.Kind, e.Notice)
		}
		if e.Notice != nil {
			out[e.ID] = append(out[e.ID], e)
		}
	}
	return out, nil
}
