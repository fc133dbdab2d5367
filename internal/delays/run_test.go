package delays_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/delays"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// TestRunFollowsTheBoard: Run, which sweeps the forms it follows from the
// board's changes instead of reading every record each time, journals
// past the hour and tells past 24 hours both a form on the board before
// it started and one queued after; a form SONO accepted is left alone.
func TestRunFollowsTheBoard(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	js, set := testkit.JetStream(t)
	b := board.New(js, set)
	const taxpayer = "900101300017"
	queue := func(id string) {
		t.Helper()
		if err := b.Create(ctx, board.View{ID: id, Taxpayer: taxpayer, Form: "910.00", Status: statusfsm.StateQueued, Updated: time.Now()}, nil); err != nil {
			t.Fatal(err)
		}
	}
	queue("sub-before")
	if err := b.Create(ctx, board.View{ID: "sub-accepted", Taxpayer: taxpayer, Status: statusfsm.StateSent, RequestID: "req-1", Updated: time.Now()}, nil); err != nil {
		t.Fatal(err)
	}

	var offset atomic.Int64
	offset.Store(int64(2 * time.Hour))
	watch, err := delays.New(delays.Config{Board: b, Journal: journal.NewWriter(js, "pw"), Exchanges: journal.NewReader(js),
		Clock: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }, Every: 20 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- watch.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	marked := func(id string) bool {
		r, _, err := b.Load(ctx, id)
		return err == nil && len(r.Delays) > 0
	}
	waitFor(t, "the form queued before Run journaled", func() bool { return marked("sub-before") })
	queue("sub-after")
	waitFor(t, "the form queued after Run started journaled", func() bool { return marked("sub-after") })

	offset.Store(int64(25 * time.Hour))
	for _, id := range []string{"sub-before", "sub-after"} {
		waitFor(t, id+" told", func() bool {
			v, err := b.Get(ctx, id)
			return err == nil && v.Delayed != nil
		})
	}
	if marked("sub-accepted") {
		t.Error("a form SONO accepted was marked as delayed")
	}
}
