package poller_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// TestNoStatusLostWhileJetStreamIsDown: the poller goes on polling while
// JetStream is down, every change waits in the store's outbox, and once
// JetStream is back the board and SALYQ_STATUS catch up: for every form
// board = store = last event. Before the outbox, a failed board update
// was dropped and the form had left the schedule.
func TestNoStatusLostWhileJetStreamIsDown(t *testing.T) {
	r := newRig(t, 100*time.Millisecond)
	store := r.openStore(filepath.Join(r.dir, "status.db"))
	r.startPoller("p1", store, 30*time.Second, true)
	ids := r.file(6)
	eventually(t, 10*time.Second, "receipts recorded", func() string {
		for _, id := range ids {
			if _, err := store.Get(id); err != nil {
				return err.Error()
			}
		}
		return ""
	})
	r.emb.Shutdown()
	eventually(t, 15*time.Second, "terminal in the store while JetStream is down", func() string {
		for _, id := range ids {
			if f, _ := store.Get(id); !store.Table().Terminal(f.State) {
				return id + " in " + string(f.State)
			}
		}
		return ""
	})
	if n, err := store.OutboxLen(); err != nil || n == 0 {
		t.Fatalf("outbox holds %d changes (%v): the outage changed nothing", n, err)
	}
	// Publishing a final status fails: without the outbox, it would
	// never reach the board (the form has left the schedule).
	eventually(t, 20*time.Second, "publishing a final status failed", func() string {
		final := map[string]bool{}
		for _, a := range r.logs.records("publishing a status change failed, will retry") {
			if store.Table().Terminal(statusfsm.Status(a["status"])) {
				final[a["id"]] = true
			}
		}
		if len(final) == 0 {
			return fmt.Sprintf("%d forms", len(final))
		}
		return ""
	})
	r.startNATS()
	eventually(t, 30*time.Second, "board, store and last event agree", func() string { return r.disagreement(store, ids) })
	if n, err := store.OutboxLen(); err != nil || n != 0 {
		t.Fatalf("outbox holds %d changes after catching up (%v)", n, err)
	}
}

// TestEmptyStoreRebuildsFromBoard: a poller whose status.db is deleted
// mid-batch (the receipts are consumed and gone) rebuilds it from the
// board when it starts and polls every form to its final status, without
// replaying SONO's history it already had.
func TestEmptyStoreRebuildsFromBoard(t *testing.T) {
	r := newRig(t, 250*time.Millisecond)
	path := filepath.Join(r.dir, "status.db")
	s1 := r.openStore(path)
	p1 := r.startPoller("p1", s1, 3*time.Second, true)
	ids := r.file(6)
	// Past the first SONO statuses, so that the next poll's history holds
	// entries the lost store had applied.
	eventually(t, 10*time.Second, "every form past two SONO statuses", func() string {
		for _, id := range ids {
			if v, err := r.board.Get(ctx, id); err != nil || v.Seq < 4 {
				return id + " not far enough"
			}
		}
		return ""
	})
	p1.wait(t)
	open := 0
	for _, id := range ids {
		if v, _ := r.board.Get(ctx, id); !v.Terminal {
			open++
		}
	}
	if open == 0 {
		t.Fatal("every form was final before the store was lost: nothing to carry on with")
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}

	s2 := r.openStore(path)
	r.startPoller("p1-again", s2, 3*time.Second, true)
	eventually(t, 20*time.Second, "board, rebuilt store and last event agree", func() string { return r.disagreement(s2, ids) })
	checkRebuilt(t, s2, ids)
	t.Logf("%d of %d forms were open when the store was lost", open, len(ids))
}

// checkRebuilt verifies that every form of a rebuilt store starts with
// the rebuild entry and that no SONO status it summed up was applied
// again after it (which would show as late or backwards moves).
func checkRebuilt(t *testing.T, s *statusfsm.Store, ids []string) {
	t.Helper()
	for _, id := range ids {
		h, err := s.History(id)
		if err != nil {
			t.Fatal(err)
		}
		if h[0].Source != statusfsm.SourceRebuild || h[0].Seq < 3 {
			t.Errorf("%s: first entry %+v, want a rebuild past the first SONO statuses", id, h[0])
		}
		for _, e := range h[1:] {
			if e.Move != statusfsm.Expected || e.Late {
				t.Errorf("%s: after the rebuild %s -> %s is %s (late %v): SONO's history was replayed", id, e.From, e.To, e.Move, e.Late)
			}
		}
	}
}

// TestFailedPollIsNotNoNews: a poll that cannot be made (here: no key to
// sign the request) is a WARN naming the submission, the taxpayer and
// the request id, and is retried on the failure backoff; it does not
// count as an answer without news, which would stretch the polls after.
func TestFailedPollIsNotNoNews(t *testing.T) {
	r := newRig(t, time.Hour)
	ids := r.file(1)
	r.keys = testkit.KeySource{}
	store := r.openStore(filepath.Join(r.dir, "status.db"))
	r.startPoller("p1", store, 3*time.Second, true)
	const msg = "no key to sign the status request"
	eventually(t, 10*time.Second, "three failed polls", func() string {
		if n := len(r.logs.records(msg)); n < 3 {
			return fmt.Sprintf("%d", n)
		}
		return ""
	})
	a := r.logs.records(msg)[0]
	f, err := store.Get(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if a["id"] != ids[0] || a["taxpayer"] != r.iin || a["requestId"] != f.RequestID || f.RequestID == "" {
		t.Errorf("log attributes %v, form %+v", a, f)
	}
	if f.PollStep != 0 || f.Polls != 0 || f.Failures < 3 {
		t.Errorf("failed polls counted as answers: %+v", f)
	}
}

// TestBoardBehindIsRepublished: a view on the board older than the
// store's (here a writer put the worker's "sent" view back over final
// statuses) is set right by the next poller that becomes active.
func TestBoardBehindIsRepublished(t *testing.T) {
	r := newRig(t, 30*time.Millisecond)
	store := r.openStore(filepath.Join(r.dir, "status.db"))
	p := r.startPoller("p1", store, 3*time.Second, true)
	ids := r.file(3)
	eventually(t, 10*time.Second, "board, store and last event agree", func() string { return r.disagreement(store, ids) })
	p.wait(t)
	for _, id := range ids {
		f, _ := store.Get(id)
		v := board.View{ID: id, Taxpayer: f.Taxpayer, Status: statusfsm.StateSent, RequestID: f.RequestID}
		if err := r.board.Set(ctx, v, nil); err != nil {
			t.Fatal(err)
		}
	}
	r.startPoller("p1-again", store, 3*time.Second, true)
	eventually(t, 10*time.Second, "board set right", func() string { return r.disagreement(store, ids) })
}
