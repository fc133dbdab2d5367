package test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestReuploadAfterExpiry: forms are filed and finish, their records
// expire from the board after the retention, and uploading them again is
// answered as a duplicate with the original id; nothing is queued and
// the sandbox sees no new request. JetStream's duplicate window is
// shorter than the retention, so only the filed-ids guard can tell.
func TestReuploadAfterExpiry(t *testing.T) {
	h := newHarness(t, harnessOptions{taxpayers: 2, retention: time.Second, dupWindow: 500 * time.Millisecond})
	h.start()
	ctx := context.Background()
	c := h.api()
	forms := app.SampleForms(h.taxpayers, 4)
	var ids []string
	for _, f := range forms {
		s, err := c.Submit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	h.waitFinal(ids, 2*time.Minute)
	waitFor(t, 30*time.Second, func() bool {
		for _, id := range ids {
			if _, err := h.rt.Board.Get(ctx, id); !errors.Is(err, board.ErrNotFound) {
				return false
			}
		}
		return true
	})
	before := h.sim.Stats()
	queued, err := h.rt.Streams.Submissions.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range forms {
		s, err := c.Submit(ctx, f)
		if err != nil {
			t.Fatalf("re-upload %d: %v", i, err)
		}
		if !s.Duplicate || s.ID != ids[i] {
			t.Errorf("re-upload %d: id %s duplicate %v; want duplicate of %s", i, s.ID, s.Duplicate, ids[i])
		}
	}
	info, err := h.rt.Streams.Submissions.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.LastSeq != queued.State.LastSeq {
		t.Errorf("%d submissions queued by re-uploads of filed forms", info.State.LastSeq-queued.State.LastSeq)
	}
	after := h.sim.Stats()
	if sent := after.Requests[envelope.ServiceSend] - before.Requests[envelope.ServiceSend]; sent != 0 || after.DuplicateFilings != 0 {
		t.Errorf("sandbox got %d sends after the re-uploads, %d duplicate filings", sent, after.DuplicateFilings)
	}
	if _, err := h.rt.Board.Get(ctx, ids[0]); !errors.Is(err, board.ErrNotFound) {
		t.Errorf("re-upload brought the record back: %v", err)
	}
}
