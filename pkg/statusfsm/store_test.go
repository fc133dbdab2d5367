package statusfsm

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"

	bolt "go.etcd.io/bbolt"
)

// fakeClock is an injected clock the test moves by hand.
type fakeClock = testenv.Clock

var t0 = time.Date(2025, 4, 15, 9, 0, 0, 0, time.UTC)

func testBackoff() Backoff { return Backoff{Min: time.Second, Max: time.Minute, Factor: 2} }

func openTest(t testing.TB, path string, clk *fakeClock) *Store {
	t.Helper()
	s, err := Open(path, &Options{Clock: clk.Now, Backoff: testBackoff(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newTest(t testing.TB) (*Store, *fakeClock) {
	clk := testenv.NewClock(t0)
	return openTest(t, filepath.Join(t.TempDir(), "status.db"), clk), clk
}

var ctx = context.Background()

// sentForm creates a form and takes it to sent.
func sentForm(t testing.TB, s *Store, id string) {
	t.Helper()
	if _, _, err := s.Create(ctx, Form{ID: id, Taxpayer: "880101300123", FormCode: "910.00", Period: "2025-1", Kind: "initial"}, Meta{Source: "intake"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, id, StateQueued, StateSending, Meta{Source: "worker"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, id, StateSending, StateSent, Meta{Source: "worker", RequestID: "req-" + id, MessageID: "msg-" + id}); err != nil {
		t.Fatal(err)
	}
}

func mustGet(t testing.TB, s *Store, id string) Form {
	t.Helper()
	f, err := s.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestCreateIdempotent(t *testing.T) {
	s, _ := newTest(t)
	f, created, err := s.Create(ctx, Form{ID: "a", FormCode: "910.00"}, Meta{Source: "intake"})
	if err != nil || !created || f.State != StateQueued {
		t.Fatalf("first Create = %+v, %v, %v", f, created, err)
	}
	f, created, err = s.Create(ctx, Form{ID: "a", FormCode: "200.00"}, Meta{Source: "intake"})
	if err != nil || created || f.FormCode != "910.00" {
		t.Fatalf("second Create = %+v, %v, %v", f, created, err)
	}
	h, err := s.History("a")
	if err != nil || len(h) != 1 || h[0].From != "" || h[0].To != StateQueued {
		t.Fatalf("history = %+v, %v", h, err)
	}
	for _, bad := range []string{"", "a\x00b", string(make([]byte, 600))} {
		if _, _, err := s.Create(ctx, Form{ID: bad}, Meta{}); !errors.Is(err, ErrInvalidID) {
			t.Errorf("Create(%q) err = %v, want ErrInvalidID", bad, err)
		}
	}
	if _, err := s.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(nope) err = %v", err)
	}
}

func TestTransitionCAS(t *testing.T) {
	s, _ := newTest(t)
	sentForm(t, s, "a")
	_, err := s.Transition(ctx, "a", StateQueued, StateSending, Meta{Source: "worker"})
	var ce *ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want *ConflictError", err)
	}
	if ce.ID != "a" || ce.Want != StateQueued || ce.Have != StateSent {
		t.Fatalf("conflict = %+v", ce)
	}
	if f := mustGet(t, s, "a"); f.State != StateSent || f.Attempts != 1 || f.RequestID != "req-a" || f.Seq != 3 {
		t.Fatalf("form after conflict = %+v", f)
	}
	if _, err := s.Transition(ctx, "missing", StateQueued, StateSending, Meta{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: err = %v", err)
	}
	// A product component cannot revive a dead letter, except by replay.
	if _, _, err := s.Create(ctx, Form{ID: "d"}, Meta{Source: "intake"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, "d", StateQueued, StateFailedDelivery, Meta{Source: "worker", Message: "certificate revoked"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, "d", StateFailedDelivery, StateSending, Meta{Source: "worker"}); !errors.Is(err, ErrTerminal) {
		t.Fatalf("out of dead letter: err = %v, want ErrTerminal", err)
	}
	if f := mustGet(t, s, "d"); f.State != StateFailedDelivery || f.Message != "certificate revoked" {
		t.Fatalf("dead letter = %+v", f)
	}
	e, err := s.Transition(ctx, "d", StateFailedDelivery, StateQueued, Meta{Source: "operator"})
	if err != nil || e.Move != Expected {
		t.Fatalf("replay = %+v, %v", e, err)
	}
}

// TestTransitionConcurrent races many goroutines through the same chain of
// states: at each step exactly one compare-and-set may win.
func TestTransitionConcurrent(t *testing.T) {
	s, _ := newTest(t)
	if _, _, err := s.Create(ctx, Form{ID: "race"}, Meta{Source: "intake"}); err != nil {
		t.Fatal(err)
	}
	chain := []Status{StateQueued, StateSending, StateSent, "Отправлена", "Доставлена", "Принята, но не разобрана", "Принята", "Обработана"}
	const workers = 16
	for i := 0; i+1 < len(chain); i++ {
		var wins, conflicts atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := s.Transition(ctx, "race", chain[i], chain[i+1], Meta{Source: fmt.Sprintf("w%d", w)})
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, ErrConflict):
					conflicts.Add(1)
				default:
					t.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if wins.Load() != 1 || conflicts.Load() != workers-1 {
			t.Fatalf("step %s->%s: %d wins, %d conflicts", chain[i], chain[i+1], wins.Load(), conflicts.Load())
		}
	}
	h, err := s.History("race")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != len(chain) {
		t.Fatalf("history has %d entries, want %d", len(h), len(chain))
	}
	for i, e := range h {
		if e.To != chain[i] || e.Move != Expected || e.Seq != uint64(i+1) {
			t.Errorf("entry %d = %+v", i, e)
		}
	}
	if f := mustGet(t, s, "race"); f.State != "Обработана" || !f.NextPoll.IsZero() || f.Attempts != 1 {
		t.Fatalf("final form = %+v", f)
	}
}

func ev(st Status, min int) Event {
	return Event{Status: st, At: t0.Add(time.Duration(min) * time.Minute)}
}

func TestApplyIdempotent(t *testing.T) {
	s, _ := newTest(t)
	sentForm(t, s, "a")
	h1 := []Event{ev("Отправлена", 1), ev("Доставлена", 2)}
	added, err := s.Apply(ctx, "a", "", h1)
	if err != nil || len(added) != 2 {
		t.Fatalf("first apply = %+v, %v", added, err)
	}
	if added[0].From != StateSent || added[1].To != "Доставлена" || added[0].Source != SourcePoll {
		t.Fatalf("added = %+v", added)
	}
	// Same history again: nothing new.
	if added, err = s.Apply(ctx, "a", "", h1); err != nil || len(added) != 0 {
		t.Fatalf("re-apply = %+v, %v", added, err)
	}
	// Overlapping history, out of order: only the new tail, in time order.
	h2 := []Event{ev("Принята", 4), ev("Доставлена", 2), ev("Принята, но не разобрана", 3), ev("Отправлена", 1)}
	added, err = s.Apply(ctx, "a", "", h2)
	if err != nil || len(added) != 2 || added[0].To != "Принята, но не разобрана" || added[1].To != "Принята" {
		t.Fatalf("overlap = %+v, %v", added, err)
	}
	// A gap filled later is recorded as late and does not move the state back.
	h3 := append(h2, ev("Обрабатывается на сервере", 3))
	h3[len(h3)-1].At = h3[len(h3)-1].At.Add(30 * time.Second)
	added, err = s.Apply(ctx, "a", "", h3)
	if err != nil || len(added) != 1 || !added[0].Late || added[0].Flags != 0 {
		t.Fatalf("late = %+v, %v", added, err)
	}
	f := mustGet(t, s, "a")
	if f.State != "Принята" || f.Flags != 0 {
		t.Fatalf("form = %+v", f)
	}
	hist, _ := s.History("a")
	if len(hist) != 3+5 {
		t.Fatalf("history has %d entries, want 8", len(hist))
	}
}

func TestReceiptTwice(t *testing.T) {
	s, _ := newTest(t)
	r := Receipt{RequestID: "r1", MessageID: "m1", Taxpayer: "880101300123", FormCode: "910.00", Period: "2025-1", Kind: "initial"}
	e, changed, err := s.ApplyReceipt(ctx, "x", r)
	if err != nil || !changed || e.To != StateSent || e.From != "" {
		t.Fatalf("first receipt = %+v, %v, %v", e, changed, err)
	}
	if _, changed, err = s.ApplyReceipt(ctx, "x", r); err != nil || changed {
		t.Fatalf("second receipt changed=%v err=%v", changed, err)
	}
	f := mustGet(t, s, "x")
	if f.State != StateSent || f.RequestID != "r1" || f.FormCode != "910.00" || f.Seq != 1 || f.NextPoll.IsZero() {
		t.Fatalf("form = %+v", f)
	}
	// Receipt for a form known from intake.
	if _, _, err := s.Create(ctx, Form{ID: "y"}, Meta{Source: "intake"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, "y", StateQueued, StateSending, Meta{Source: "worker"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, _, err := s.ApplyReceipt(ctx, "y", Receipt{RequestID: "r2"}); err != nil {
			t.Fatal(err)
		}
	}
	if h, _ := s.History("y"); len(h) != 3 || h[2].To != StateSent || h[2].Move != Expected {
		t.Fatalf("history y = %+v", h)
	}
	// A stray receipt with another request id after SONO answered is flagged, ids kept.
	if _, err := s.Apply(ctx, "y", "", []Event{ev("Отправлена", 1)}); err != nil {
		t.Fatal(err)
	}
	e, changed, err = s.ApplyReceipt(ctx, "y", Receipt{RequestID: "r3"})
	if err != nil || !changed || e.Flags&FlagUnexpected == 0 {
		t.Fatalf("stray receipt = %+v, %v, %v", e, changed, err)
	}
	if f := mustGet(t, s, "y"); f.RequestID != "r2" || f.State != "Отправлена" || f.Flags&FlagUnexpected == 0 {
		t.Fatalf("form y = %+v", f)
	}
}

func TestUnknownStatusFlaggedAndPolled(t *testing.T) {
	s, clk := newTest(t)
	sentForm(t, s, "u")
	added, err := s.Apply(ctx, "u", "", []Event{ev("Отправлена", 1), {Status: "Передана в архив", At: t0.Add(2 * time.Minute), Message: "новое"}})
	if err != nil || len(added) != 2 {
		t.Fatalf("apply = %+v, %v", added, err)
	}
	if added[1].Move != Unknown || added[1].Flags&FlagUnknown == 0 || added[1].Message != "новое" {
		t.Fatalf("unknown entry = %+v", added[1])
	}
	f := mustGet(t, s, "u")
	if f.State != "Передана в архив" || f.Flags&FlagUnknown == 0 || f.NextPoll.IsZero() {
		t.Fatalf("form = %+v", f)
	}
	clk.Add(time.Hour)
	due, err := s.Due(clk.Now(), 10)
	if err != nil || len(due) != 1 || due[0].ID != "u" {
		t.Fatalf("unknown status must keep being polled: due = %+v, %v", due, err)
	}
	if fl, _ := s.List(Filter{Flagged: true}, 10); len(fl) != 1 || fl[0].ID != "u" {
		t.Fatalf("flagged list = %+v", fl)
	}
}

func TestBackwardsAndForbiddenRecorded(t *testing.T) {
	s, _ := newTest(t)
	sentForm(t, s, "b")
	added, err := s.Apply(ctx, "b", "", []Event{ev("Отправлена", 1), ev("Принята, но не разобрана", 2), ev("Доставлена", 3)})
	if err != nil || len(added) != 3 {
		t.Fatalf("apply = %+v, %v", added, err)
	}
	if added[2].Move != Unexpected || added[2].Flags != FlagUnexpected || added[2].From != "Принята, но не разобрана" {
		t.Fatalf("backwards entry = %+v", added[2])
	}
	if f := mustGet(t, s, "b"); f.State != "Доставлена" || f.Flags != FlagUnexpected {
		t.Fatalf("backwards must still be applied: %+v", f)
	}
	// Out of a terminal SONO status: applied (newest wins), flagged forbidden.
	added, err = s.Apply(ctx, "b", "", []Event{ev("Обработана", 4), ev("Сторнирована", 5)})
	if err != nil || len(added) != 2 || added[1].Move != Forbidden || added[1].Flags != FlagForbidden {
		t.Fatalf("forbidden = %+v, %v", added, err)
	}
	f := mustGet(t, s, "b")
	if f.State != "Сторнирована" || f.Flags != FlagUnexpected|FlagForbidden || !f.NextPoll.IsZero() {
		t.Fatalf("form = %+v", f)
	}
	if err := s.Reschedule(ctx, "b", t0); !errors.Is(err, ErrTerminal) {
		t.Fatalf("reschedule terminal: %v", err)
	}
}

func TestDueOrderAndTerminalLeaves(t *testing.T) {
	s, clk := newTest(t)
	// Forms sent one second apart: first polls due at t0+1s, t0+2s, …
	for i := 0; i < 5; i++ {
		sentForm(t, s, fmt.Sprintf("f%d", i))
		clk.Add(time.Second)
	}
	// now = t0+5s; f0 due t0+1s … f4 due t0+5s.
	due, err := s.Due(t0.Add(2500*time.Millisecond), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || due[0].ID != "f0" || due[1].ID != "f1" {
		t.Fatalf("due = %v", ids(due))
	}
	if due, _ = s.Due(clk.Now(), 3); len(due) != 3 || due[2].ID != "f2" {
		t.Fatalf("limited due = %v", ids(due))
	}
	// f1 reaches a terminal status: out of the index.
	if _, err := s.Apply(ctx, "f1", "", []Event{ev("Отправлена", 1), ev("Обработана", 2)}); err != nil {
		t.Fatal(err)
	}
	// f0 polled without news: backoff step 1 → 2s from now.
	if _, err := s.Apply(ctx, "f0", "", nil); err != nil {
		t.Fatal(err)
	}
	f0 := mustGet(t, s, "f0")
	if f0.PollStep != 1 || !f0.NextPoll.Equal(clk.Now().Add(2*time.Second)) {
		t.Fatalf("f0 = step %d next %v", f0.PollStep, f0.NextPoll)
	}
	due, _ = s.Due(clk.Now(), 10)
	if got := ids(due); fmt.Sprint(got) != "[f2 f3 f4]" {
		t.Fatalf("due after = %v", got)
	}
	due, _ = s.Due(clk.Now().Add(time.Hour), 10)
	if got := ids(due); fmt.Sprint(got) != "[f2 f3 f4 f0]" {
		t.Fatalf("due later = %v", got)
	}
	checkIndex(t, s)
	// Claim leases due forms: a second claim does not get them.
	c1, err := s.Claim(ctx, clk.Now(), 10, time.Minute)
	if err != nil || len(c1) != 3 {
		t.Fatalf("claim = %v, %v", ids(c1), err)
	}
	if c2, _ := s.Claim(ctx, clk.Now(), 10, time.Minute); len(c2) != 0 {
		t.Fatalf("second claim = %v", ids(c2))
	}
	checkIndex(t, s)
}

func ids(fs []Form) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

// checkIndex verifies that the schedule holds exactly the polled forms
// (non-terminal, or terminal under a notice watch) at their NextPoll, and
// that the counters match the forms.
func checkIndex(t testing.TB, s *Store) {
	t.Helper()
	err := s.db.View(func(tx *bolt.Tx) error {
		want := map[string]bool{}
		counts := map[Status]int{}
		forms, err := s.List(Filter{}, 1<<30)
		if err != nil {
			return err
		}
		for _, f := range forms {
			counts[f.State]++
			if !f.NextPoll.IsZero() {
				if s.table.Terminal(f.State) && (s.watch == 0 || f.Final.IsZero()) {
					t.Errorf("terminal form %s scheduled without a notice watch", f.ID)
				}
				want[string(scheduleKey(f.NextPoll, f.ID))] = true
			}
		}
		n := 0
		if err := tx.Bucket(bucketSchedule).ForEach(func(k, _ []byte) error {
			n++
			if !want[string(k)] {
				t.Errorf("stray schedule entry %s at %v", k[8:], scheduleTime(k))
			}
			return nil
		}); err != nil {
			return err
		}
		if n != len(want) {
			t.Errorf("schedule has %d entries, want %d", n, len(want))
		}
		cs, err := s.Counts()
		if err != nil {
			return err
		}
		for st, c := range counts {
			if cs.ByState[st] != c {
				t.Errorf("count %s = %d, want %d", st, cs.ByState[st], c)
			}
		}
		if cs.Total != len(forms) {
			t.Errorf("total = %d, want %d", cs.Total, len(forms))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "status.db")
	clk := testenv.NewClock(t0)
	s, err := Open(path, &Options{Clock: clk.Now, Backoff: testBackoff()})
	if err != nil {
		t.Fatal(err)
	}
	sentForm(t, s, "keep")
	sentForm(t, s, "done")
	if _, err := s.Apply(ctx, "done", "", []Event{ev("Отправлена", 1), ev("Разнесена", 2)}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Get("keep")
	hist, _ := s.History("done")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTest(t, path, clk)
	after := mustGet(t, s, "keep")
	if !after.NextPoll.Equal(before.NextPoll) || after.State != StateSent || after.RequestID != "req-keep" {
		t.Fatalf("after reopen = %+v, before %+v", after, before)
	}
	if h, _ := s.History("done"); len(h) != len(hist) {
		t.Fatalf("history after reopen has %d entries, want %d", len(h), len(hist))
	}
	due, _ := s.Due(t0.Add(time.Hour), 10)
	if fmt.Sprint(ids(due)) != "[keep]" {
		t.Fatalf("due after reopen = %v", ids(due))
	}
	// Re-applying what was applied before the restart adds nothing.
	if added, _ := s.Apply(ctx, "done", "", []Event{ev("Отправлена", 1), ev("Разнесена", 2)}); len(added) != 0 {
		t.Fatalf("re-apply after restart = %+v", added)
	}
	cs, err := s.Counts()
	if err != nil || cs.ByState[StateSent] != 1 || cs.ByOutcome["accepted and posted"] != 1 || cs.ByOutcome[OutcomeInProgress] != 1 {
		t.Fatalf("counts = %+v, %v", cs, err)
	}
	checkIndex(t, s)
}

func TestSchemaMismatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "status.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return b.Put(keySchema, binary.BigEndian.AppendUint32(nil, 99))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, nil)
	var se *SchemaError
	if !errors.As(err, &se) || se.Have != 99 || !errors.Is(err, ErrSchema) {
		t.Fatalf("err = %v", err)
	}
}

func TestListFilter(t *testing.T) {
	s, _ := newTest(t)
	for _, id := range []string{"a", "b", "c", "d"} {
		sentForm(t, s, id)
	}
	if _, err := s.Apply(ctx, "c", "", []Event{ev("Не принята", 1)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		f    Filter
		want string
	}{
		{Filter{}, "[a b c d]"},
		{Filter{After: "b"}, "[c d]"},
		{Filter{State: StateSent}, "[a b d]"},
		{Filter{Terminal: true}, "[c]"},
		{Filter{Open: true, After: "a"}, "[b d]"},
	}
	for _, tt := range tests {
		got, err := s.List(tt.f, 10)
		if err != nil || fmt.Sprint(ids(got)) != tt.want {
			t.Errorf("List(%+v) = %v, %v; want %s", tt.f, ids(got), err, tt.want)
		}
	}
	checkIndex(t, s)
}
