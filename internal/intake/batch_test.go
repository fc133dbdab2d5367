package intake_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/envelope"
)

// batchOf hands the forms to SubmitBatch, named by their place.
func batchOf(forms ...[]byte) iter.Seq[intake.Item] {
	return func(yield func(intake.Item) bool) {
		for i, f := range forms {
			if !yield(intake.Item{Name: fmt.Sprint("form-", i), Data: f}) {
				return
			}
		}
	}
}

// incomes are distinct good forms of the taxpayer.
func incomes(t *testing.T, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		s := good(t)
		s.income = 1_000_000 + 1000*i
		out[i] = s.build()
	}
	return out
}

// TestSubmitBatch: a batch is answered form by form in its order; a bad
// form in the middle is refused with its field while the others are
// stored; the same form twice in one batch is stored once (the second
// answered duplicate, with no second view); an ERP-signed form is
// verified and stored as it is; a form filed by an earlier batch is a
// duplicate. Each accepted form is in the stream, and its queued view on
// the board, by the time it is answered.
func TestSubmitBatch(t *testing.T) {
	r := newRig(t)
	f := incomes(t, 3)
	presigned := signed(t, f[2])
	forms := [][]byte{f[0], []byte("<fno code="), f[1], f[0], presigned}
	var got []intake.ItemResult
	err := r.in.SubmitBatch(ctx, batchOf(forms...), func(ir intake.ItemResult) {
		if ir.Err == nil && !ir.Result.Duplicate {
			if _, err := r.board.Get(ctx, ir.Result.ID); err != nil {
				t.Errorf("%s answered before its view: %v", ir.Name, err)
			}
			stored := 0
			for _, g := range got {
				if g.Err == nil && !g.Result.Duplicate {
					stored++
				}
			}
			if n := r.queued(t); n < uint64(stored+1) {
				t.Errorf("%s answered with %d messages stored, want %d", ir.Name, n, stored+1)
			}
		}
		got = append(got, ir)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(forms) {
		t.Fatalf("%d answers for %d forms", len(got), len(forms))
	}
	for i, ir := range got {
		if ir.Index != i || ir.Name != fmt.Sprint("form-", i) {
			t.Errorf("answer %d is for %d %q", i, ir.Index, ir.Name)
		}
	}
	for _, i := range []int{0, 2, 4} {
		if got[i].Err != nil || got[i].Result.Duplicate {
			t.Errorf("form %d: %+v %v, want stored", i, got[i].Result, got[i].Err)
		}
	}
	if ref := intake.RefusalOf(got[1].Err); !errors.Is(got[1].Err, envelope.ErrMalformedXML) || ref.Field != "document" || ref.Reason == "" {
		t.Errorf("bad form: %v, refusal %+v", got[1].Err, ref)
	}
	if got[3].Err != nil || !got[3].Result.Duplicate || got[3].Result.ID != got[0].Result.ID {
		t.Errorf("same form again: %+v %v, want duplicate of %s", got[3].Result, got[3].Err, got[0].Result.ID)
	}
	if n := r.queued(t); n != 3 {
		t.Errorf("%d messages stored, want 3", n)
	}
	info, err := r.set.Submissions.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if last, err := r.set.Submissions.GetMsg(ctx, info.State.LastSeq); err != nil || string(last.Data) != string(presigned) {
		t.Errorf("the ERP-signed form was not stored as it came (%v)", err)
	}

	var again []intake.ItemResult
	if err := r.in.SubmitBatch(ctx, batchOf(f[1], f[0]), func(ir intake.ItemResult) { again = append(again, ir) }); err != nil {
		t.Fatal(err)
	}
	for i, ir := range again {
		if ir.Err != nil || !ir.Result.Duplicate {
			t.Errorf("filed form %d in a later batch: %+v %v, want duplicate", i, ir.Result, ir.Err)
		}
	}
	if n := r.queued(t); n != 3 {
		t.Errorf("%d messages stored after the second batch, want 3", n)
	}
}

// TestSubmitBatchBounded: a batch larger than the publish window and the
// byte budget still answers every form, in order, each stored once.
func TestSubmitBatchBounded(t *testing.T) {
	for _, c := range []struct {
		name          string
		window, bytes int
	}{{"window 3", 3, 0}, {"one form held at a time", 1, 1}} {
		t.Run(c.name, func(t *testing.T) {
			js, set := testkit.JetStream(t)
			r := newRigOn(t, js, set, func(cfg *intake.Config) {
				cfg.PublishWindow, cfg.BatchBytes = c.window, int64(c.bytes)
			})
			forms := incomes(t, 40)
			next := 0
			err := r.in.SubmitBatch(ctx, batchOf(forms...), func(ir intake.ItemResult) {
				if ir.Index != next || ir.Err != nil || ir.Result.Duplicate {
					t.Errorf("answer %d: form %d %+v %v", next, ir.Index, ir.Result, ir.Err)
				}
				next++
			})
			if err != nil || next != len(forms) {
				t.Fatalf("%d answers, %v", next, err)
			}
			if n := r.queued(t); n != uint64(len(forms)) {
				t.Errorf("%d stored, want %d", n, len(forms))
			}
		})
	}
}

// TestSubmitBatchServerStops stops JetStream after the first form of a
// batch was answered: that form was stored when it was answered, and
// every later form is answered with a retryable ErrPublish, never as
// queued.
func TestSubmitBatchServerStops(t *testing.T) {
	emb := testkit.NATS(t)
	nc, js, err := broker.Connect(emb.URL(), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	set, err := streams.Provision(ctx, js, streams.Config{DuplicateWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// A window of one: the second form is published only after the
	// first one's answer, so the stop falls between them.
	r := newRigOn(t, js, set, func(c *intake.Config) {
		c.PublishWindow, c.AckWait = 1, 500*time.Millisecond
	})
	forms := incomes(t, 4)
	var got []intake.ItemResult
	bctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err = r.in.SubmitBatch(bctx, batchOf(forms...), func(ir intake.ItemResult) {
		if ir.Index == 0 {
			if n := r.queued(t); n != 1 {
				t.Errorf("first form answered with %d messages stored", n)
			}
			emb.Shutdown()
		}
		got = append(got, ir)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(forms) {
		t.Fatalf("%d answers for %d forms", len(got), len(forms))
	}
	if got[0].Err != nil {
		t.Errorf("first form: %v", got[0].Err)
	}
	for _, ir := range got[1:] {
		if !errors.Is(ir.Err, intake.ErrPublish) {
			t.Errorf("form %d after the stop: %+v %v, want ErrPublish", ir.Index, ir.Result, ir.Err)
		}
	}
	if !slices.IsSortedFunc(got, func(a, b intake.ItemResult) int { return a.Index - b.Index }) {
		t.Error("answers out of order")
	}
}
