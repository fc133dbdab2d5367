package statusfsm

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"
)

// seqs lists the sequence numbers of entries.
func seqs(es []Entry) []uint64 {
	var out []uint64
	for _, e := range es {
		out = append(out, e.Seq)
	}
	return out
}

func mustPending(t testing.TB, s *Store, skip func(string) bool) map[string]Pending {
	t.Helper()
	ps, err := s.Pending(100, skip)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Pending{}
	for _, p := range ps {
		out[p.Form.ID] = p
	}
	return out
}

// TestOutboxWithEveryChange: every entry a receipt or a poll records is in
// the outbox together with the form it left, survives a reopen, and
// leaves it only through DoneAll, up to the sequence given.
func TestOutboxWithEveryChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "status.db")
	clk := testenv.NewClock(t0)
	s := openTest(t, path, clk)
	if _, _, err := s.ApplyReceipt(ctx, "a", Receipt{RequestID: "r1", Taxpayer: "880101300123"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, "a", "", []Event{ev("Отправлена", 1), ev("Доставлена", 2)}); err != nil {
		t.Fatal(err)
	}
	// A poll without news and a receipt delivered twice record nothing.
	if _, err := s.Apply(ctx, "a", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ApplyReceipt(ctx, "a", Receipt{RequestID: "r1"}); err != nil {
		t.Fatal(err)
	}
	// A failed write records nothing either.
	if _, err := s.Apply(ctx, "missing", "", []Event{ev("Отправлена", 1)}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("apply to a missing form: %v", err)
	}
	if _, _, err := s.ApplyReceipt(ctx, "b", Receipt{RequestID: "r2"}); err != nil {
		t.Fatal(err)
	}

	p := mustPending(t, s, nil)
	if len(p) != 2 || fmt.Sprint(seqs(p["a"].Entries)) != "[1 2 3]" || fmt.Sprint(seqs(p["b"].Entries)) != "[1]" {
		t.Fatalf("pending = %+v", p)
	}
	if f := p["a"].Form; f.Seq != 3 || f.State != "Доставлена" || f.Taxpayer != "880101300123" {
		t.Fatalf("pending form = %+v", f)
	}
	if e := p["a"].Entries[2]; e.From != "Отправлена" || e.To != "Доставлена" {
		t.Fatalf("entry 3 = %+v", e)
	}
	if got := mustPending(t, s, func(id string) bool { return id == "a" }); len(got) != 1 || got["b"].Form.ID != "b" {
		t.Fatalf("pending without a = %+v", got)
	}
	if ps, err := s.Pending(1, nil); err != nil || len(ps) != 1 || ps[0].Form.ID != "a" || len(ps[0].Entries) != 3 {
		t.Fatalf("Pending(1) = %+v, %v", ps, err)
	}

	// Published up to 2; 3 and what comes later stay.
	if err := s.DoneAll(ctx, Published{ID: "a", UpTo: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, "a", "", []Event{ev("Принята", 3)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path, clk)
	p = mustPending(t, s, nil)
	if fmt.Sprint(seqs(p["a"].Entries)) != "[3 4]" || p["a"].Form.State != "Принята" {
		t.Fatalf("after reopen: pending a = %+v", p["a"])
	}
	// Both forms' published entries go in one transaction.
	var marks []Published
	for id, pd := range p {
		marks = append(marks, Published{ID: id, UpTo: pd.Form.Seq})
	}
	if len(marks) != 2 {
		t.Fatalf("pending %+v, want both forms", p)
	}
	if err := s.DoneAll(ctx, marks...); err != nil {
		t.Fatal(err)
	}
	if n, err := s.OutboxLen(); err != nil || n != 0 {
		t.Fatalf("outbox after DoneAll: %d, %v", n, err)
	}
	if err := s.DoneAll(ctx, Published{ID: ""}); !errors.Is(err, ErrInvalidID) {
		t.Fatalf("DoneAll with an empty id: %v, want ErrInvalidID", err)
	}
}

// TestRestoreNeverBackwards: Restore takes a form the store does not know,
// or knows at a lower sequence, and leaves one it knows at the same or a
// higher sequence alone.
func TestRestoreNeverBackwards(t *testing.T) {
	s, clk := newTest(t)
	board := Form{ID: "a", State: "Принята", Seq: 5, RequestID: "r1", Taxpayer: "880101300123", FormCode: "910.00",
		LastEventAt: t0.Add(3 * time.Minute)}

	changed, err := s.Restore(ctx, board)
	if err != nil || changed != 1 {
		t.Fatalf("restore unknown = %v, %v", changed, err)
	}
	f := mustGet(t, s, "a")
	if f.State != "Принята" || f.Seq != 5 || f.RequestID != "r1" || !f.NextPoll.Equal(clk.Now()) {
		t.Fatalf("restored = %+v", f)
	}
	h, _ := s.History("a")
	if len(h) != 1 || h[0].Seq != 5 || h[0].Source != SourceRebuild || h[0].From != "" {
		t.Fatalf("history = %+v", h)
	}
	// Restored state is the board's: nothing to publish.
	if n, _ := s.OutboxLen(); n != 0 {
		t.Fatalf("outbox after restore: %d", n)
	}

	// The same: nothing changes.
	if changed, err := s.Restore(ctx, board); err != nil || changed != 0 {
		t.Fatalf("restore the same = %v, %v", changed, err)
	}
	if n, _ := s.OutboxLen(); n != 0 {
		t.Fatalf("outbox after restoring the same: %d", n)
	}
	// Lower (a lost publish, a worker's view without a sequence): the
	// form stays, and its newest entry is to be published again.
	for _, old := range []Form{
		{ID: "a", State: "Доставлена", Seq: 4},
		{ID: "a", State: StateSent},
	} {
		if changed, err := s.Restore(ctx, old); err != nil || changed != 0 {
			t.Fatalf("restore %+v = %v, %v", old, changed, err)
		}
	}
	if g := mustGet(t, s, "a"); g.State != "Принята" || g.Seq != 5 {
		t.Fatalf("moved backwards: %+v", g)
	}
	if p := mustPending(t, s, nil)["a"]; len(p.Entries) != 1 || p.Entries[0].Seq != 5 || p.Form.State != "Принята" {
		t.Fatalf("pending after a copy that is behind = %+v", p)
	}
	if err := s.DoneAll(ctx, Published{ID: "a", UpTo: 5}); err != nil {
		t.Fatal(err)
	}

	// The next poll returns SONO's whole history: what the restored state
	// sums up is not recorded again, the new entry is, after seq 5.
	added, err := s.Apply(ctx, "a", "", []Event{ev("Отправлена", 1), ev("Доставлена", 2), ev("Принята", 3), ev("Обработана", 4)})
	if err != nil || len(added) != 1 || added[0].Seq != 6 || added[0].From != "Принята" || added[0].To != "Обработана" || added[0].Flags != 0 {
		t.Fatalf("apply after restore = %+v, %v", added, err)
	}
	if g := mustGet(t, s, "a"); !g.NextPoll.IsZero() || g.Seq != 6 {
		t.Fatalf("terminal after restore = %+v", g)
	}

	// A store behind the board: its unpublished entries up to the board's
	// sequence are dropped, the form jumps ahead, and terminal ones too.
	if _, _, err := s.ApplyReceipt(ctx, "b", Receipt{RequestID: "r2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, "b", "", []Event{ev("Отправлена", 1)}); err != nil {
		t.Fatal(err)
	}
	// In one call with c, a worker's view (no sequence) of an unknown
	// form, which starts at 1.
	if changed, err := s.Restore(ctx, Form{ID: "b", State: "Обработана", Seq: 7, RequestID: "r2"},
		Form{ID: "c", State: StateSent, RequestID: "r3"}); err != nil || changed != 2 {
		t.Fatalf("restore b, c = %v, %v", changed, err)
	}
	if g := mustGet(t, s, "b"); g.State != "Обработана" || g.Seq != 7 || !g.NextPoll.IsZero() {
		t.Fatalf("b = %+v", g)
	}
	// Diverged at one sequence: the other copy's state, after ours.
	if changed, err := s.Restore(ctx, Form{ID: "b", State: "Отклонена", Seq: 7}); err != nil || changed != 1 {
		t.Fatalf("restore diverged b = %v, %v", changed, err)
	}
	if g := mustGet(t, s, "b"); g.State != "Отклонена" || g.Seq != 8 {
		t.Fatalf("diverged b = %+v", g)
	}
	if p := mustPending(t, s, nil); len(p) != 1 || len(p["a"].Entries) != 1 {
		t.Fatalf("pending = %+v", p)
	}
	if g := mustGet(t, s, "c"); g.Seq != 1 || g.NextPoll.IsZero() {
		t.Fatalf("c = %+v", g)
	}
	if _, err := s.Restore(ctx, Form{ID: "d", State: StateSent}, Form{ID: "e"}); !errors.Is(err, ErrNoState) {
		t.Fatalf("restore without state: %v", err)
	}
	if _, err := s.Restore(ctx, Form{ID: "d\x00", State: StateSent}); !errors.Is(err, ErrInvalidID) {
		t.Fatalf("restore with a bad id: %v", err)
	}
	if _, err := s.Get("d"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a failed restore changed something: %v", err)
	}
	checkIndex(t, s)
}

// TestPollFailedIsNotNoNews: failed polls back off on their own counter;
// the next answer resets it and the no-news step is untouched by them.
func TestPollFailedIsNotNoNews(t *testing.T) {
	s, clk := newTest(t)
	sentForm(t, s, "a")
	if _, err := s.Apply(ctx, "a", "", nil); err != nil { // one answer without news: step 1
		t.Fatal(err)
	}
	var delays []time.Duration
	for range 3 {
		next, err := s.PollFailed(ctx, "a", 0)
		if err != nil {
			t.Fatal(err)
		}
		delays = append(delays, next.Sub(clk.Now()))
	}
	if fmt.Sprint(delays) != "[1s 2s 4s]" {
		t.Fatalf("failure delays = %v", delays)
	}
	if next, _ := s.PollFailed(ctx, "a", time.Minute); !next.Equal(clk.Now().Add(time.Minute)) {
		t.Fatalf("retry-after not honoured: %v", next)
	}
	f := mustGet(t, s, "a")
	if f.PollStep != 1 || f.Failures != 4 || f.Polls != 1 || !f.NextPoll.Equal(clk.Now().Add(time.Minute)) {
		t.Fatalf("form = %+v", f)
	}
	if _, err := s.Apply(ctx, "a", "", nil); err != nil {
		t.Fatal(err)
	}
	if f := mustGet(t, s, "a"); f.Failures != 0 || f.PollStep != 2 {
		t.Fatalf("after an answer = %+v", f)
	}
	// A throttled poll waits as asked and spends nothing.
	if next, err := s.PollDeferred(ctx, "a", 3*time.Second); err != nil || !next.Equal(clk.Now().Add(3*time.Second)) {
		t.Fatalf("deferred: %v, %v", next, err)
	}
	if f := mustGet(t, s, "a"); f.Failures != 0 || f.PollStep != 2 {
		t.Fatalf("after a deferred poll = %+v", f)
	}
	checkIndex(t, s)
	if _, err := s.Apply(ctx, "a", "", []Event{ev("Не принята", 1)}); err != nil {
		t.Fatal(err)
	}
	if next, err := s.PollDeferred(ctx, "a", time.Second); err != nil || !next.IsZero() {
		t.Fatalf("terminal deferred: %v, %v", next, err)
	}
	if next, err := s.PollFailed(ctx, "a", 0); err != nil || !next.IsZero() || !mustGet(t, s, "a").NextPoll.IsZero() {
		t.Fatalf("terminal: %v, %v", next, err)
	}
	checkIndex(t, s)
}
