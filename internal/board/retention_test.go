package board_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/filed"
	"github.com/salyq/salyq/internal/testkit"
)

// TestRetention: a finished record expires after the retention and its
// id is in SALYQ_FILED; a record that is not finished stays, and so does
// a dead letter's (failed-delivery, no request id).
func TestRetention(t *testing.T) {
	js, set := testkit.JetStream(t)
	const retention = time.Second // JetStream's smallest TTL
	b := board.New(js, set, board.WithRetention(retention))
	open := board.View{ID: "open1", Taxpayer: "900101300011", Status: "sent", RequestID: "r1", Updated: t0}
	done := board.View{ID: "done1", Taxpayer: "900101300011", Status: "13", Terminal: true, RequestID: "r2", Updated: t0}
	dead := board.View{ID: "dead1", Taxpayer: "900101300011", Status: "failed-delivery", Terminal: true, Reason: "permanent", Updated: t0}
	for _, v := range []board.View{open, done, dead} {
		if err := b.Set(ctx, v, nil); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := b.Get(ctx, done.ID)
		if errors.Is(err, board.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("finished record still on the board 10s after a retention of 1s")
		}
		time.Sleep(50 * time.Millisecond) // polling the condition, not synchronising
	}
	for _, want := range []board.View{open, dead} {
		if v, err := b.Get(ctx, want.ID); err != nil || v.Status != want.Status {
			t.Fatalf("record %s: %+v, %v; want it kept", want.ID, v, err)
		}
	}

	idx, err := filed.Open(t.TempDir() + "/filed.db")
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go idx.Follow(fctx, js, slog.New(slog.DiscardHandler)) //nolint:errcheck // ends with fctx
	select {
	case <-idx.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("index not ready")
	}
	for id, want := range map[string]bool{done.ID: true, open.ID: false, dead.ID: false} {
		got, err := idx.Filed(ctx, id)
		if err != nil || got != want {
			t.Errorf("Filed(%s) = %v, %v; want %v", id, got, err, want)
		}
	}
}
