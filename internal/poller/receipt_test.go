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

// TestReceiptSettling: the handler of status events on a real
// nats-server and a real bbolt store: a good receipt is recorded and
// acked, an event without one acked; unreadable events and receipts whose
// fields fail the checks are dead-lettered as poison, on a valid subject,
// and terminated; the connection stays up.
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
	// body is the sent event of a receipt changed by change; the event's
	// id is the receipt's unless eventID is set.
	body := func(eventID string, change func(*streams.Receipt)) []byte {
		r := good
		change(&r)
		if eventID == "" {
			eventID = r.ID
		}
		data, err := json.Marshal(board.Event{ID: eventID, Taxpayer: r.Taxpayer, To: statusfsm.StateSent, At: r.SentAt, Receipt: &r})
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	subject := streams.StatusSubject(good.Taxpayer)
	tests := []struct {
		name    string
		subject string
		data    []byte
		dlq     string // "" : recorded, or nothing to record
		reason  string
	}{
		{"good", subject, body("", func(*streams.Receipt) {}), "", ""},
		{"an event without a receipt", subject, []byte(`{"id":"sub-10","to":"queued","at":"2026-01-01T00:00:00Z"}`), "", ""},
		{"not JSON", subject, []byte("{nope"), settle.PoisonSubject, "poison: bad receipt"},
		{"over-long id", subject, body("", func(r *streams.Receipt) { r.ID = strings.Repeat("x", 4100) }), settle.PoisonSubject, "poison: bad receipt: id"},
		{"wildcard id", subject, body("", func(r *streams.Receipt) { r.ID = "*" }), settle.PoisonSubject, "poison: bad receipt: id"},
		{"event of another id", subject, body("sub-5", func(r *streams.Receipt) { r.ID = "sub-6" }), streams.DLQPrefix + "sub-6", "poison: bad receipt: event"},
		{"no request id", subject, body("", func(r *streams.Receipt) { r.ID, r.RequestID = "sub-7", "" }), streams.DLQPrefix + "sub-7", "poison: bad receipt: requestId"},
		{"NUL in the taxpayer", subject, body("", func(r *streams.Receipt) { r.ID, r.Taxpayer = "sub-8", "90010130012\x00" }), streams.DLQPrefix + "sub-8", "poison: bad receipt: taxpayer"},
		{"subject of another taxpayer", streams.StatusSubject("900101300017"), body("", func(r *streams.Receipt) { r.ID = "sub-11" }), streams.DLQPrefix + "sub-11", "poison: bad receipt: subject"},
		{"newline in the period", subject, body("", func(r *streams.Receipt) { r.ID, r.Period = "sub-9", "2025\nH1" }), streams.DLQPrefix + "sub-9", "poison: bad receipt: period"},
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
					t.Errorf("a good event was dead-lettered")
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
