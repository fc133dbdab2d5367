package delivery_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testkit"

	"github.com/beevik/etree"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/ids"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
)

var ctx = context.Background()

// startStreams provisions the layout on a real nats-server in the test
// process.
func startStreams(t *testing.T) (jetstream.JetStream, *streams.Set) { return testkit.JetStream(t) }

// rig is a worker's world: streams, the sandbox over HTTP, a client.
type rig struct {
	js     jetstream.JetStream
	set    *streams.Set
	sim    *sonosim.Server
	client *gateway.Client
	board  *board.Board
	keys   testkit.KeySource
	policy delivery.Policy
}

func newRig(t *testing.T, faults sonosim.Faults) *rig {
	t.Helper()
	k := testkit.MustKeys(t)
	js, set := startStreams(t)
	sim, err := sonosim.New(sonosim.Config{
		Gateway: k.Gateway.Signer(), Trust: []*x509.Certificate{k.PKI.Root()},
		StatusStep: time.Hour, Seed: 11, Faults: faults,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	return &rig{
		js: js, set: set, sim: sim,
		client: gateway.NewClient(gateway.Config{
			URL: hs.URL + "/bip-sync-wss-gost/", Timeout: 5 * time.Second,
			Codec:        &envelope.Codec{Signer: k.Transport.Signer(), NewID: ids.UUID},
			Sender:       envelope.Sender{ID: "salyq-test", Password: "pw"},
			GatewayCerts: []*x509.Certificate{k.Gateway.Certificate()},
		}),
		board: board.New(js, set),
		keys:  testkit.KeySource{k.Taxpayer.Identity().IIN: k.Taxpayer.Key},
		policy: delivery.Policy{
			InitialInterval: 20 * time.Millisecond, Multiplier: 2, MaxInterval: 200 * time.Millisecond,
			RandomizationFactor: 0.2, MaxElapsed: 30 * time.Second, Grace: 200 * time.Millisecond,
			ThrottleDelay: 50 * time.Millisecond, MaintenanceDelay: 100 * time.Millisecond,
		},
	}
}

// runChecked starts a worker whose Run must not return before stop: a
// worker that exits on a bad message (as one did with status 0) fails the
// test.
func (r *rig) runChecked(t *testing.T, change ...func(*delivery.Config)) (stop func()) {
	t.Helper()
	cfg := delivery.Config{
		JS: r.js, Streams: r.set, Gateway: r.client, Keys: r.keys, Board: r.board, Policy: r.policy,
		Concurrency: 2, MaxInFlight: 8, AckWait: 30 * time.Second, Name: "worker-" + ids.UUID()[:8], Log: testLog(),
	}
	for _, c := range change {
		c(&cfg)
	}
	w, err := delivery.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		select {
		case err := <-done:
			t.Errorf("worker stopped by itself: %v", err)
		default:
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// run starts a worker with concurrency (see runChecked).
func (r *rig) run(t *testing.T, concurrency int) (stop func()) {
	t.Helper()
	return r.runChecked(t, func(c *delivery.Config) { c.Concurrency = concurrency })
}

// submission is a taxpayer-signed form as the intake enqueues it.
type submission struct {
	id   string
	form []byte
}

func (r *rig) signedForm(t *testing.T, kind envelope.Kind, amount int) []byte {
	t.Helper()
	k := testkit.MustKeys(t)
	f, err := envelope.ParseForm(testkit.Form910(k.Taxpayer.Identity().IIN, kind, amount), envelope.FormOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := envelope.SignForm(ctx, f, k.Taxpayer.Signer(), envelope.SignOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// publish enqueues a submission the way the intake does.
func (r *rig) publish(t *testing.T, id string, form []byte, kind envelope.Kind) submission {
	t.Helper()
	m := nats.NewMsg(streams.SubmitSubject(testkit.MustKeys(t).Taxpayer.Identity().IIN))
	m.Data = form
	m.Header.Set(jetstream.MsgIDHeader, id)
	m.Header.Set(streams.HeaderID, id)
	m.Header.Set(streams.HeaderTaxpayer, testkit.MustKeys(t).Taxpayer.Identity().IIN)
	m.Header.Set(streams.HeaderForm, "910.00")
	m.Header.Set(streams.HeaderPeriod, "2025-H1")
	m.Header.Set(streams.HeaderKind, string(kind))
	if _, err := r.js.PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	return submission{id: id, form: form}
}

// next waits for the next message of a stream and acknowledges it,
// failing the test after timeout.
func next(t *testing.T, cons jetstream.Consumer, timeout time.Duration) jetstream.Msg {
	t.Helper()
	m, err := cons.Next(jetstream.FetchMaxWait(timeout))
	if err != nil {
		t.Fatalf("no message within %v: %v", timeout, err)
	}
	if err := m.Ack(); err != nil {
		t.Fatal(err)
	}
	return m
}

// nextReceipt acknowledges the next events of cons (a reader of
// SALYQ_STATUS) until one carries a receipt, within timeout, and returns
// that receipt.
func nextReceipt(t *testing.T, cons jetstream.Consumer, timeout time.Duration) streams.Receipt {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		wait := time.Until(deadline)
		if wait <= 0 {
			t.Fatalf("no receipt within %v", timeout)
		}
		var ev board.Event
		if err := json.Unmarshal(next(t, cons, wait).Data(), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Receipt != nil {
			return *ev.Receipt
		}
	}
}

// reader is an ephemeral consumer of a whole stream; on SALYQ_STATUS it
// takes the place of the poller (nextReceipt).
func reader(t *testing.T, js jetstream.JetStream, stream string) jetstream.Consumer {
	t.Helper()
	c, err := js.CreateConsumer(ctx, stream, jetstream.ConsumerConfig{AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// settle waits until the worker consumer has nothing pending or
// unacknowledged: polling a condition, with a deadline.
func settle(t *testing.T, js jetstream.JetStream, timeout time.Duration) {
	t.Helper()
	cons, err := js.Consumer(ctx, streams.Submissions, streams.ConsumerWorker)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(timeout)
	for {
		info, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.NumPending == 0 && info.NumAckPending == 0 && info.NumRedelivered == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker consumer not settled: pending %d, ack pending %d, redelivered %d", info.NumPending, info.NumAckPending, info.NumRedelivered)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
	}
}

func element(t *testing.T, data []byte) *etree.Element {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		t.Fatal(err)
	}
	return doc.Root()
}

// testLog discards the worker's log unless SALYQ_TEST_LOG is set.
func testLog() *slog.Logger {
	if os.Getenv("SALYQ_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
