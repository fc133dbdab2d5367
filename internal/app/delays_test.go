package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/delays"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// TestStatusShowsDelay: a form the delay watch told about is shown
// delayed, with its cause and since when in Astana time, by `salyq
// status` and `salyq status ID`, and its delay entry by `salyq journal
// show ID`.
func TestStatusShowsDelay(t *testing.T) {
	ctx := context.Background()
	rt, natsURL := provisioned(t)
	submitted := time.Now().Add(-25 * time.Hour).Truncate(time.Second)
	if err := rt.Board.Create(ctx, board.View{ID: "sub-late", Taxpayer: "820909361064", Form: "910.00", Period: "2025-H1",
		Status: statusfsm.StateQueued, Updated: submitted}, nil); err != nil {
		t.Fatal(err)
	}
	// Nobody works on it: the cause is the queue.
	watch, err := delays.New(delays.Config{Board: rt.Board, Journal: rt.Exchanges, Exchanges: journal.NewReader(rt.JS)})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := watch.Sweep(ctx); err != nil || s.Journaled != 1 || s.Told != 1 {
		t.Fatalf("sweep: %+v, %v", s, err)
	}
	since := humanTime(submitted)
	run := func(args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		if err := Main(ctx, append(args, "--nats", natsURL, "--data", t.TempDir()), IO{Out: &out, Err: &errs}); err != nil {
			t.Fatalf("%v: %v %s", args, err, errs.String())
		}
		return out.String()
	}
	if out := run("status"); !strings.Contains(out, "DELAYED") || !strings.Contains(out, "since "+since+" (not-served)") {
		t.Errorf("status list:\n%s", out)
	}
	out := run("status", "sub-late")
	if !strings.Contains(out, "delayed: not accepted by SONO since "+since+" (not-served)") || !strings.Contains(out, "delayed since "+since) {
		t.Errorf("status of the form:\n%s", out)
	}
	if out := run("journal", "show", "sub-late"); !strings.Contains(out, "delay") || !strings.Contains(out, "delayed not-served") {
		t.Errorf("journal show:\n%s", out)
	}
}
