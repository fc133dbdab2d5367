package board_test

import (
	"testing"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// TestIntakeFieldsCarried: the worker's and the poller's views, built
// without the intake's fields, keep the batch, the payer's name, the
// submission time, the filing time and the registration number once
// written; and the intake's queued view, written after a fast worker's,
// adds its fields to it without putting the status back.
func TestIntakeFieldsCarried(t *testing.T) {
	b, _ := newBoard(t)
	queued := board.View{ID: "c1", Taxpayer: "900101300011", Status: statusfsm.StateQueued, Updated: t0,
		Batch: "b1", BatchName: "q1.zip", Name: "ТЕСТОВ", Submitted: t0}
	if err := b.Create(ctx, queued, nil); err != nil {
		t.Fatal(err)
	}
	sent := board.View{ID: "c1", Taxpayer: "900101300011", Status: statusfsm.StateSent, Updated: t0.Add(1), Filed: t0.Add(1)}
	if err := b.Set(ctx, sent, nil); err != nil {
		t.Fatal(err)
	}
	polled := board.View{ID: "c1", Taxpayer: "900101300011", Status: "Принята", Terminal: true, Updated: t0.Add(2), Seq: 3, Registration: "R-1"}
	if err := b.Advance(ctx, polled, nil); err != nil {
		t.Fatal(err)
	}
	v, err := b.Get(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != "Принята" || v.Batch != "b1" || v.BatchName != "q1.zip" || v.Name != "ТЕСТОВ" || !v.Submitted.Equal(t0) ||
		!v.Filed.Equal(t0.Add(1)) || v.Registration != "R-1" {
		t.Errorf("view after the worker and the poller: %+v", v)
	}

	// A worker that wrote first: the intake's view adds its fields only.
	if err := b.Set(ctx, board.View{ID: "c2", Taxpayer: "900101300011", Status: statusfsm.StateSending, Updated: t0.Add(1)}, nil); err != nil {
		t.Fatal(err)
	}
	late := queued
	late.ID = "c2"
	if err := b.Create(ctx, late, &board.Event{ID: "c2", To: statusfsm.StateQueued, At: t0}); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Get(ctx, "c2"); v.Status != statusfsm.StateSending || v.Batch != "b1" || v.Name != "ТЕСТОВ" || !v.Submitted.Equal(t0) {
		t.Errorf("the intake's late view: %+v", v)
	}
	// A duplicate's view in another batch changes nothing.
	other := late
	other.Batch, other.BatchName = "b2", ""
	if err := b.Create(ctx, other, nil); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Get(ctx, "c2"); v.Batch != "b1" || v.BatchName != "q1.zip" {
		t.Errorf("a second Create moved the form to %q %q", v.Batch, v.BatchName)
	}
}
