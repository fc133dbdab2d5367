package statusfsm

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"
)

// TestNoticeStoredOnce: a notice is kept once by its number however often
// a poll returns it, gets one entry in the outbox in the transaction of
// the poll that brought it, does not move the form, and survives a
// reopen and a rebuild from another copy.
func TestNoticeStoredOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "status.db")
	clk := testenv.NewClock(t0)
	s := openTest(t, path, clk)
	if _, _, err := s.ApplyReceipt(ctx, "a", Receipt{RequestID: "r1", Taxpayer: "880101300123"}); err != nil {
		t.Fatal(err)
	}
	refusal := Notice{Number: "6205-1", Type: "refusal", At: t0.Add(4 * time.Minute), Text: "строка 910.00.001"}
	hist := []Event{ev("Отправлена", 1), ev("Не принята", 4)}
	added, err := s.Apply(ctx, "a", "", hist, refusal)
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 3 {
		t.Fatalf("added %+v", added)
	}
	e := added[2]
	if e.Notice == nil || *e.Notice != refusal || e.From != "Не принята" || e.To != "Не принята" || e.Seq != 4 || !e.At.Equal(refusal.At) {
		t.Fatalf("notice entry %+v", e)
	}
	f, _ := s.Get("a")
	if f.State != "Не принята" || len(f.Notices) != 1 || f.Notices[0] != refusal || f.Seq != 4 {
		t.Fatalf("form %+v", f)
	}
	counts, _ := s.Counts()
	if counts.Total != 1 || counts.ByState["Не принята"] != 1 {
		t.Fatalf("counts %+v", counts)
	}

	// The next poll returns the same notice and a new one.
	audit := Notice{Number: "6205-2", Type: "violations found by desk audit", At: t0.Add(9 * time.Minute)}
	clk.Add(time.Minute)
	added, err = s.Apply(ctx, "a", "", hist, refusal, audit, audit)
	if err != nil || len(added) != 1 || added[0].Notice == nil || added[0].Notice.Number != "6205-2" {
		t.Fatalf("second poll added %+v, %v", added, err)
	}
	if added, err = s.Apply(ctx, "a", "", hist, audit, refusal); err != nil || len(added) != 0 {
		t.Fatalf("third poll added %+v, %v", added, err)
	}
	p := mustPending(t, s, nil)
	if fmt.Sprint(seqs(p["a"].Entries)) != "[1 2 3 4 5]" {
		t.Fatalf("pending %+v", p["a"].Entries)
	}
	var notices []string
	for _, e := range p["a"].Entries {
		if e.Notice != nil {
			notices = append(notices, e.Notice.Number)
		}
	}
	if fmt.Sprint(notices) != "[6205-1 6205-2]" {
		t.Fatalf("notice entries in the outbox: %v", notices)
	}

	// Reopened: still there. Rebuilt elsewhere from this copy: the notices
	// come along and a poll does not take them for new ones.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path, clk)
	f, _ = s.Get("a")
	if len(f.Notices) != 2 {
		t.Fatalf("after reopen: %+v", f.Notices)
	}
	other := openTest(t, filepath.Join(t.TempDir(), "other.db"), clk)
	if n, err := other.Restore(ctx, f); err != nil || n != 1 {
		t.Fatalf("restore: %d, %v", n, err)
	}
	if added, err := other.Apply(ctx, "a", "", hist, refusal, audit); err != nil || len(added) != 0 {
		t.Fatalf("poll after restore added %+v, %v", added, err)
	}
	if g, _ := other.Get("a"); len(g.Notices) != 2 || g.Notices[1] != audit {
		t.Fatalf("restored notices %+v", g.Notices)
	}
}
