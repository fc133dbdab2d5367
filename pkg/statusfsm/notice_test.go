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

// TestNoticeWatch: with a notice watch, a form that reached a terminal
// status stays in the schedule, polled every NoticeEvery, so that a
// notice issued weeks later (a desk audit) is found; a poll that brings
// one records it without moving the form; the watch ends NoticeWatch
// after the final status, whatever the poll brings, and a failed poll
// past it takes the form out too. Without a watch the form leaves at
// once (TestDueOrderAndTerminalLeaves).
func TestNoticeWatch(t *testing.T) {
	s, clk := newWatched(t)
	for _, id := range []string{"a", "b"} {
		sentForm(t, s, id)
	}
	hist := []Event{ev("Отправлена", 1), ev("Принята", 2), ev("Обработана", 3)}
	for _, id := range []string{"a", "b"} {
		if _, err := s.Apply(ctx, id, "", hist); err != nil {
			t.Fatal(err)
		}
	}
	final := clk.Now()
	a := mustGet(t, s, "a")
	if !a.Final.Equal(final) || !a.NextPoll.Equal(final.Add(24*time.Hour)) {
		t.Fatalf("final form: final %v, next poll %v; want %v and a day later", a.Final, a.NextPoll, final)
	}
	if due, _ := s.Due(final.Add(24*time.Hour-time.Second), 10); len(due) != 0 {
		t.Fatalf("due before a day passed: %v", ids(due))
	}

	// A day later: "a" brings a desk audit notice, "b" nothing new.
	clk.Add(24 * time.Hour)
	due, err := s.Claim(ctx, clk.Now(), 10, time.Minute)
	if err != nil || fmt.Sprint(ids(due)) != "[a b]" {
		t.Fatalf("claimed %v, %v; want [a b]", ids(due), err)
	}
	audit := Notice{Number: "6205-7", Type: "violations found by desk audit", At: clk.Now()}
	added, err := s.Apply(ctx, "a", "", hist, audit)
	if err != nil || len(added) != 1 || added[0].Notice == nil {
		t.Fatalf("late notice: added %+v, %v", added, err)
	}
	if _, err := s.Apply(ctx, "b", "", hist); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		f := mustGet(t, s, id)
		if f.State != "Обработана" || !f.Final.Equal(final) || !f.NextPoll.Equal(clk.Now().Add(24*time.Hour)) {
			t.Fatalf("%s after a watch poll: state %s, final %v, next %v", id, f.State, f.Final, f.NextPoll)
		}
	}
	if a := mustGet(t, s, "a"); len(a.Notices) != 1 || a.Notices[0] != audit {
		t.Fatalf("notices %+v", a.Notices)
	}
	checkIndex(t, s)

	// Past the watch: "a" answers and leaves; "b" is claimed, its poll
	// fails, and it leaves too rather than be retried for ever.
	clk.Set(final.Add(72*time.Hour + time.Second))
	due, err = s.Claim(ctx, clk.Now(), 10, time.Minute)
	if err != nil || len(due) != 2 {
		t.Fatalf("claimed %v, %v", ids(due), err)
	}
	if _, err := s.Apply(ctx, "a", "", hist); err != nil {
		t.Fatal(err)
	}
	if next, err := s.PollFailed(ctx, "b", 0); err != nil || !next.IsZero() {
		t.Fatalf("failed poll past the watch: next %v, %v", next, err)
	}
	for _, id := range []string{"a", "b"} {
		if f := mustGet(t, s, id); !f.NextPoll.IsZero() {
			t.Fatalf("%s still scheduled at %v after its watch", id, f.NextPoll)
		}
	}
	if due, _ := s.Due(clk.Now().Add(365*24*time.Hour), 10); len(due) != 0 {
		t.Fatalf("due after the watch: %v", ids(due))
	}
	checkIndex(t, s)
}

// TestNoticeWatchAfterRestore: a terminal form rebuilt from another copy
// is watched from the time that copy says it became final, and its first
// watch poll is a NoticeEvery away, not now.
func TestNoticeWatchAfterRestore(t *testing.T) {
	s, _ := newWatched(t)
	final := t0.Add(-time.Hour)
	old := t0.Add(-100 * time.Hour)
	if _, err := s.Restore(ctx, Form{ID: "recent", State: "Обработана", Seq: 9, Final: final}, Form{ID: "old", State: "Обработана", Seq: 9, Final: old}); err != nil {
		t.Fatal(err)
	}
	if f := mustGet(t, s, "recent"); !f.Final.Equal(final) || !f.NextPoll.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("recent: final %v, next poll %v", f.Final, f.NextPoll)
	}
	if f := mustGet(t, s, "old"); !f.NextPoll.IsZero() {
		t.Fatalf("a form final for longer than the watch is scheduled at %v", f.NextPoll)
	}
	checkIndex(t, s)
}

// newWatched is a store with a notice watch of three days, a poll a day.
func newWatched(t *testing.T) (*Store, *fakeClock) {
	t.Helper()
	clk := testenv.NewClock(t0)
	s, err := Open(filepath.Join(t.TempDir(), "status.db"), &Options{Clock: clk.Now, Backoff: testBackoff(), NoSync: true,
		NoticeWatch: 72 * time.Hour, NoticeEvery: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clk
}
