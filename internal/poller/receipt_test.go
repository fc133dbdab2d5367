package poller

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/settle"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// TestReceiptSettling: the receipt handler on a real nats-server and a
// real bbolt store: a good receipt is recorded and acked; unreadable ones
// and ones whose fields fail the checks are dead-lettered as poison, on a
// valid subject, and terminated; the connection stays up.
func TestReceiptSettling(t *testing.T) {
	ctx := context.Background()
	js, set := testkit.JetStream(t)
	store, err := statusfsm.Open(filepath.Join(t.TempDir(), "status.db"), &statusfsm.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	p, err := New(ctx, Config{JS: js, Store: store, Board: board.New(js, set), Clock: time.Now, Leases: set.Leases, Name: "receipt-test",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	info, err := p.cons.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.MaxDeliver != streams.MaxDeliverPoller {
		t.Errorf("MaxDeliver %d, want %d", info.Config.MaxDeliver, streams.MaxDeliverPoller)
	}
	good := streams.Receipt{ID: "sub-1", RequestID: "req-1", MessageID: "m-1", Taxpayer: "900101300123",
		Form: "910.00", Period: "2025-H1", Kind: "regular", SentAt: time.Now()}
	body := func(change func(*streams.Receipt)) []byte {
		r := good
		change(&r)
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	tests := []struct {
		name    string
		subject string
		data    []byte
		dlq     string // "" : recorded
		reason  string
	}{
		{"good", streams.ReceiptPrefix + "sub-1", body(func(*streams.Receipt) {}), "", ""},
		{"not JSON", streams.ReceiptPrefix + "sub-2", []byte("{nope"), settle.PoisonSubject, "poison: bad receipt"},
		{"over-long id", streams.ReceiptPrefix + "sub-3", body(func(r *streams.Receipt) { r.ID = strings.Repeat("x", 4100) }), settle.PoisonSubject, "poison: bad receipt: id"},
		{"wildcard id", streams.ReceiptPrefix + "sub-4", body(func(r *streams.Receipt) { r.ID = "*" }), settle.PoisonSubject, "poison: bad receipt: id"},
		{"subject of another id", streams.ReceiptPrefix + "sub-5", body(func(r *streams.Receipt) { r.ID = "sub-6" }), streams.DLQPrefix + "sub-6", "poison: bad receipt: subject"},
		{"no request id", streams.ReceiptPrefix + "sub-7", body(func(r *streams.Receipt) { r.ID, r.RequestID = "sub-7", "" }), streams.DLQPrefix + "sub-7", "poison: bad receipt: requestId"},
		{"NUL in the taxpayer", streams.ReceiptPrefix + "sub-8", body(func(r *streams.Receipt) { r.ID, r.Taxpayer = "sub-8", "90010130012\x00" }), streams.DLQPrefix + "sub-8", "poison: bad receipt: taxpayer"},
		{"newline in the period", streams.ReceiptPrefix + "sub-9", body(func(r *streams.Receipt) { r.ID, r.Period = "sub-9", "2025\nH1" }), streams.DLQPrefix + "sub-9", "poison: bad receipt: period"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := nats.NewMsg(tc.subject)
			m.Data = tc.data
			if _, err := js.PublishMsg(ctx, m); err != nil {
				t.Fatal(err)
			}
			msg, err := p.cons.Next(jetstream.FetchMaxWait(5 * time.Second))
			if err != nil {
				t.Fatal(err)
			}
			before, _ := set.DLQ.Info(ctx)
			p.receipt(ctx, msg)
			after, err := set.DLQ.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tc.dlq == "" {
				if after.State.Msgs != before.State.Msgs {
					t.Errorf("a good receipt was dead-lettered")
				}
				if f, err := store.Get(good.ID); err != nil || f.RequestID != good.RequestID {
					t.Errorf("store: %+v %v", f, err)
				}
				return
			}
			if after.State.Msgs != before.State.Msgs+1 {
				t.Fatalf("%d dead letters, want %d", after.State.Msgs, before.State.Msgs+1)
			}
			dl, err := set.DLQ.GetMsg(ctx, after.State.LastSeq)
			if err != nil {
				t.Fatal(err)
			}
			if dl.Subject != tc.dlq || !strings.HasPrefix(dl.Header.Get(streams.HeaderReason), tc.reason) {
				t.Errorf("dead letter on %s with %q, want %s with %q", dl.Subject, dl.Header.Get(streams.HeaderReason), tc.dlq, tc.reason)
			}
		})
	}
	// Every receipt was settled: nothing is waiting or unacknowledged.
	deadline := time.Now().Add(5 * time.Second)
	for {
		ci, err := p.cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ci.NumPending == 0 && ci.NumAckPending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("receipts pending %d, unacknowledged %d", ci.NumPending, ci.NumAckPending)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, with a deadline
	}
	if js.Conn().Status() != nats.CONNECTED {
		t.Error("connection lost")
	}
}
