package delays_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/delays"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/ids"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// gate is the sandbox behind a switch: while down, every request gets a
// plain HTTP 503, as from a gateway that is out.
type gate struct {
	next http.Handler
	down atomic.Bool
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.down.Load() {
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	g.next.ServeHTTP(w, r)
}

// TestDelayedForm: a form the gateway keeps refusing gets one journal
// entry naming the cause an hour after its submission and, past 24
// hours, one delayed event on SALYQ_STATUS and the Delayed flag on its
// view; further sweeps, by this watch or another, add nothing; once SONO
// takes the form, the flag is gone. The watch's clock is injected and
// driven forward; the worker and the sandbox are real.
func TestDelayedForm(t *testing.T) {
	ctx := context.Background()
	k := testkit.MustKeys(t)
	taxpayer := k.Taxpayer.Identity().IIN
	js, set := testkit.JetStream(t)
	sim, err := sonosim.New(sonosim.Config{Gateway: k.Gateway.Signer(), Trust: []*x509.Certificate{k.PKI.Root()}, StatusStep: time.Hour, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{next: sim}
	g.down.Store(true)
	hs := httptest.NewServer(g)
	t.Cleanup(hs.Close)
	client := gateway.NewClient(gateway.Config{
		URL: hs.URL + "/bip-sync-wss-gost/", Timeout: 5 * time.Second,
		Codec:        &envelope.Codec{Signer: k.Transport.Signer(), NewID: ids.UUID},
		Sender:       envelope.Sender{ID: "salyq-test", Password: "pw"},
		GatewayCerts: []*x509.Certificate{k.Gateway.Certificate()},
	})
	b := board.New(js, set)
	exchanges := journal.NewWriter(js, "pw")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	// The intake's part: the queued view and the submission.
	const id = "sub-delayed"
	submittedAt := time.Now()
	if err := b.Create(ctx, board.View{ID: id, Taxpayer: taxpayer, Form: "910.00", Period: "2025-H1", Kind: string(envelope.KindRegular),
		Status: statusfsm.StateQueued, Updated: submittedAt}, nil); err != nil {
		t.Fatal(err)
	}
	publish(t, js, id, taxpayer, signedForm(t))

	w, err := delivery.New(ctx, delivery.Config{
		JS: js, Streams: set, Gateway: client, Keys: testkit.KeySource{taxpayer: k.Taxpayer.Key}, Board: b,
		Policy: delivery.Policy{InitialInterval: 20 * time.Millisecond, Multiplier: 2, MaxInterval: 100 * time.Millisecond,
			RandomizationFactor: 0.2, MaxElapsed: time.Hour, Grace: 200 * time.Millisecond,
			ThrottleDelay: 50 * time.Millisecond, MaintenanceDelay: 100 * time.Millisecond},
		Concurrency: 1, MaxInFlight: 4, AckWait: 30 * time.Second, Name: "worker-delays", Log: quiet, Exchanges: exchanges,
	})
	if err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	t.Cleanup(func() { stop(); <-done })

	reader := journal.NewReader(js)
	waitFor(t, "two refused sends in the journal", func() bool {
		recs, _ := reader.BySubmission(ctx, taxpayer, id)
		return len(recs) >= 2
	})

	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	newWatch := func() *delays.Watch {
		wt, err := delays.New(delays.Config{Board: b, Journal: exchanges, Exchanges: reader, Clock: clock, Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		return wt
	}
	watch := newWatch()
	sweep := func(wt *delays.Watch, at time.Duration, want delays.Swept) {
		t.Helper()
		offset.Store(int64(at))
		got, err := wt.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got.Waiting = want.Waiting
		if got != want {
			t.Fatalf("sweep at +%s: %+v, want %+v", at, got, want)
		}
	}

	// The worker goes on meanwhile, rewriting the record: the marks
	// must survive its writes.
	workerGoesOn := func() {
		t.Helper()
		recs, _ := reader.BySubmission(ctx, taxpayer, id)
		waitFor(t, "the worker to retry", func() bool {
			more, _ := reader.BySubmission(ctx, taxpayer, id)
			return len(more) >= len(recs)+2
		})
	}
	sweep(watch, 30*time.Minute, delays.Swept{})
	sweep(watch, 61*time.Minute, delays.Swept{Journaled: 1})
	workerGoesOn()
	sweep(watch, 62*time.Minute, delays.Swept{})
	entry := delayEntry(t, reader, taxpayer, id)
	if entry.Code != delays.CauseUnavailable || entry.Outcome != journal.OutcomeDelayed || entry.Since.Sub(submittedAt).Abs() > time.Second {
		t.Errorf("delay entry %s %s since %s (submitted %s): %s", entry.Outcome, entry.Code, entry.Since, submittedAt, entry.Reason)
	}
	if _, off := entry.At.Zone(); off != 5*3600 {
		t.Errorf("delay entry at %s, not in Astana time", entry.At)
	}

	events := statusEvents(t, js)
	sweep(watch, 24*time.Hour+time.Minute, delays.Swept{Told: 1})
	ev := nextDelayed(t, events)
	if ev.ID != id || ev.Delay == nil || ev.Delay.Cause != delays.CauseUnavailable || !ev.Delay.Since.Equal(entry.Since) {
		t.Fatalf("delayed event %+v", ev)
	}
	v, err := b.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if v.Delayed == nil || v.Delayed.Cause != delays.CauseUnavailable || v.RequestID != "" {
		t.Fatalf("view after 24h: %+v", v)
	}
	// Again, and by a watch that took over: nothing more.
	workerGoesOn()
	sweep(watch, 25*time.Hour, delays.Swept{})
	sweep(newWatch(), 26*time.Hour, delays.Swept{})
	hist, err := b.History(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	told := 0
	for _, e := range hist {
		if e.Kind == board.EventDelayed {
			told++
		}
	}
	recs, err := reader.BySubmission(ctx, taxpayer, id)
	if err != nil {
		t.Fatal(err)
	}
	entries := 0
	for _, r := range recs {
		if r.Delay() {
			entries++
		}
	}
	if told != 1 || entries != 1 {
		t.Errorf("%d delayed events and %d delay entries, want one each", told, entries)
	}

	// The gateway is back: the worker files the form and the flag goes.
	g.down.Store(false)
	waitFor(t, "the form filed", func() bool {
		v, err := b.Get(ctx, id)
		return err == nil && v.RequestID != ""
	})
	sweep(watch, 27*time.Hour, delays.Swept{})
	if v, _ := b.Get(ctx, id); v.Delayed != nil {
		t.Errorf("accepted form still flagged delayed: %+v", v.Delayed)
	}
}

func delayEntry(t *testing.T, r *journal.Reader, taxpayer, id string) journal.Record {
	t.Helper()
	recs, err := r.BySubmission(context.Background(), taxpayer, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if rec.Delay() {
			return rec
		}
	}
	t.Fatalf("no delay entry among %d records", len(recs))
	return journal.Record{}
}

func statusEvents(t *testing.T, js jetstream.JetStream) jetstream.Consumer {
	t.Helper()
	c, err := js.CreateConsumer(context.Background(), streams.Status, jetstream.ConsumerConfig{AckPolicy: jetstream.AckNonePolicy})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// nextDelayed is the first delayed event on the status stream.
func nextDelayed(t *testing.T, c jetstream.Consumer) board.Event {
	t.Helper()
	for {
		m, err := c.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatalf("no delayed event: %v", err)
		}
		var ev board.Event
		if err := json.Unmarshal(m.Data(), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Kind == board.EventDelayed {
			return ev
		}
	}
}

func signedForm(t *testing.T) []byte {
	t.Helper()
	k := testkit.MustKeys(t)
	f, err := envelope.ParseForm(testkit.Form910(k.Taxpayer.Identity().IIN, envelope.KindRegular, 1_000_000), envelope.FormOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := envelope.SignForm(context.Background(), f, k.Taxpayer.Signer(), envelope.SignOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// publish enqueues a submission the way the intake does.
func publish(t *testing.T, js jetstream.JetStream, id, taxpayer string, form []byte) {
	t.Helper()
	m := nats.NewMsg(streams.SubmitSubject(taxpayer))
	m.Data = form
	m.Header.Set(jetstream.MsgIDHeader, id)
	m.Header.Set(streams.HeaderID, id)
	m.Header.Set(streams.HeaderTaxpayer, taxpayer)
	m.Header.Set(streams.HeaderForm, "910.00")
	m.Header.Set(streams.HeaderPeriod, "2025-H1")
	m.Header.Set(streams.HeaderKind, string(envelope.KindRegular))
	if _, err := js.PublishMsg(context.Background(), m); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds, failing the test after 15 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
	}
}
