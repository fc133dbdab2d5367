package board_test

import (
	"testing"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// TestNoticeEvent: a notice dated at the time of a status change (a
// refusal comes with «Не принята») is an event of its own, kept once
// however often it is published, and the view carries the notice in
// Astana time.
func TestNoticeEvent(t *testing.T) {
	b, _ := newBoard(t)
	const rejected = statusfsm.Status("Не принята")
	n := board.NoticeOf(statusfsm.Notice{Number: "6205-1", Type: "refusal", At: t0, Text: "reason"})
	if _, off := n.At.Zone(); off != 5*3600 || !n.At.Equal(t0) {
		t.Fatalf("notice at %v, want %v in Astana time", n.At, t0)
	}
	v := board.View{ID: "s1", Taxpayer: "900101300011", Status: rejected, Terminal: true, Seq: 2, Updated: t0, Notices: []board.Notice{n}}
	change := &board.Event{ID: "s1", From: "sent", To: rejected, At: t0, Seq: 1}
	notice := &board.Event{ID: "s1", Kind: board.EventNotice, To: rejected, At: t0, Notice: &n, Seq: 2}
	for range 2 { // a repeat is harmless
		if err := b.Advance(ctx, v, []*board.Event{change, notice}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := b.History(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Kind != "" || h[1].Kind != board.EventNotice || h[1].Notice == nil || h[1].Notice.Number != "6205-1" {
		t.Fatalf("history %+v", h)
	}
	got, err := b.Get(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Notices) != 1 || got.Notices[0].Number != "6205-1" || got.Notices[0].At.Format(time.RFC3339) != "2025-07-15T15:00:00+05:00" {
		t.Fatalf("view notices %+v", got.Notices)
	}
}
