package poller_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/board"
)

// TestRetentionKeepsFollowedForms: with a retention of a second, the
// records of finished forms expire while those of forms still followed
// stay, so a poller that lost its store rebuilds it from the board with
// every open form and follows each to its final status.
func TestRetentionKeepsFollowedForms(t *testing.T) {
	r := newRig(t, 100*time.Millisecond)
	r.board = board.New(r.js, r.set, board.WithRetention(time.Second))
	path := filepath.Join(r.dir, "status.db")
	s1 := r.openStore(path)
	p1 := r.startPoller("p1", s1, 3*time.Second, true)
	done := r.file(3)
	// Final on the board, not only in the store: the poller's outbox
	// writes the board after the store, and its outbox dies with s1. A
	// record already gone has expired, which only a final one does.
	eventually(t, 20*time.Second, "the first forms final on the board", func() string {
		for _, id := range done {
			v, err := r.board.Get(ctx, id)
			if errors.Is(err, board.ErrNotFound) {
				continue
			}
			if err != nil || !v.Terminal {
				return id + " not final on the board"
			}
		}
		return ""
	})
	p1.wait(t)
	open := r.file(3) // sent, the poller stopped
	// Their events, with the receipts, are gone: only the board can
	// bring them back.
	if err := r.set.Status.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "finished records expired", func() string {
		for _, id := range done {
			if _, err := r.board.Get(ctx, id); !errors.Is(err, board.ErrNotFound) {
				return id + " still on the board"
			}
		}
		return ""
	})
	for _, id := range open {
		if v, err := r.board.Get(ctx, id); err != nil || v.Terminal {
			t.Fatalf("open form %s: %+v, %v; want it on the board, not final", id, v, err)
		}
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	s2 := r.openStore(path)
	r.startPoller("p2", s2, 3*time.Second, true)
	eventually(t, 30*time.Second, "the open forms final in the rebuilt store", func() string {
		for _, id := range open {
			if f, err := s2.Get(id); err != nil || !s2.Table().Terminal(f.State) {
				return id + " not final in the rebuilt store"
			}
		}
		return ""
	})
}
