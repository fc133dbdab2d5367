package poller_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/ids"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/poller"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
)

var ctx = context.Background()

// rig is the pollers' world: a real nats-server in the test process that
// can be stopped and started again on its port and store, the sandbox
// over HTTP moving filings through their statuses, a gateway client.
type rig struct {
	t      *testing.T
	dir    string
	port   int
	emb    *broker.Embedded
	js     jetstream.JetStream
	set    *streams.Set
	board  *board.Board
	sim    *sonosim.Server
	client *gateway.Client
	keys   testkit.KeySource
	iin    string
	next   int // amount of the next form: amounts tell forms apart
	logs   *countingHandler
	// exchanges, when set, journals the pollers' exchanges.
	exchanges *journal.Writer
}

func newRig(t *testing.T, step time.Duration) *rig {
	t.Helper()
	return newRigWith(t, step, nil)
}

// newRigWith is newRig with the sandbox's configuration changed by
// configure, if not nil.
func newRigWith(t *testing.T, step time.Duration, configure func(*sonosim.Config)) *rig {
	t.Helper()
	k := testkit.MustKeys(t)
	r := &rig{t: t, dir: t.TempDir(), logs: newCountingHandler(testLog().Handler()), iin: k.Taxpayer.Identity().IIN, keys: testkit.KeySource{k.Taxpayer.Identity().IIN: k.Taxpayer.Key}}
	r.startNATS()
	t.Cleanup(func() { r.emb.Shutdown() })
	nc, js, err := broker.Connect(r.emb.URL(), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	r.js = js
	if r.set, err = streams.Provision(ctx, js, streams.Config{DuplicateWindow: time.Hour}); err != nil {
		t.Fatal(err)
	}
	r.board = board.New(js, r.set)
	simCfg := sonosim.Config{Gateway: k.Gateway.Signer(), Trust: []*x509.Certificate{k.PKI.Root()}, StatusStep: step, Seed: 5}
	if configure != nil {
		configure(&simCfg)
	}
	r.sim, err = sonosim.New(simCfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(r.sim)
	t.Cleanup(hs.Close)
	r.client = gateway.NewClient(gateway.Config{
		URL: hs.URL + "/bip-sync-wss-gost/", Timeout: 5 * time.Second,
		Codec:        &envelope.Codec{Signer: k.Transport.Signer(), NewID: ids.UUID},
		Sender:       envelope.Sender{ID: "salyq-test", Password: "pw"},
		GatewayCerts: []*x509.Certificate{k.Gateway.Certificate()},
	})
	return r
}

// startNATS starts the server, on the port it had before if it ran already.
func (r *rig) startNATS() {
	r.t.Helper()
	emb, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: filepath.Join(r.dir, "nats"), Port: r.port,
		Durability: broker.Durability{SyncInterval: time.Minute}})
	if err != nil {
		r.t.Fatal(err)
	}
	r.emb = emb
	if r.port == 0 {
		u, err := url.Parse(emb.URL())
		if err != nil {
			r.t.Fatal(err)
		}
		if r.port, err = strconv.Atoi(u.Port()); err != nil {
			r.t.Fatal(err)
		}
	}
}

// openStore opens a status store at path.
func (r *rig) openStore(path string) *statusfsm.Store {
	r.t.Helper()
	s, err := statusfsm.Open(path, &statusfsm.Options{NoSync: true,
		Backoff: statusfsm.Backoff{Min: 20 * time.Millisecond, Max: 150 * time.Millisecond, Factor: 1.5}})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { s.Close() })
	return s
}

// running is a poller running in the background.
type running struct {
	p    *poller.Poller
	stop context.CancelFunc
	err  func() error // waits for Run to return, once
}

// wait stops the poller (without releasing its lease unless it was made
// with release) and waits for it.
func (rp *running) wait(t *testing.T) {
	t.Helper()
	rp.stop()
	if err := rp.err(); err != nil {
		t.Errorf("poller: %v", err)
	}
}

// startPoller runs a poller on store; lease is its active lease.
func (r *rig) startPoller(name string, store *statusfsm.Store, lease time.Duration, release bool) *running {
	r.t.Helper()
	p, err := poller.New(ctx, poller.Config{
		JS: r.js, Store: store, Gateway: r.client, Keys: r.keys, Board: r.board,
		Leases: r.set.Leases, Name: name, ActiveLease: lease, ReleaseOnStop: release,
		Concurrency: 8, Tick: 20 * time.Millisecond, Lease: 10 * time.Second, PublishTimeout: 300 * time.Millisecond,
		Clock: time.Now, Log: slog.New(r.logs).With("poller", name), Exchanges: r.exchanges,
	})
	if err != nil {
		r.t.Fatal(err)
	}
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(pctx) }()
	rp := &running{p: p, stop: cancel, err: sync.OnceValue(func() error { return <-done })}
	r.t.Cleanup(func() { cancel(); rp.err() })
	return rp
}

// file files n forms at the sandbox as a worker does: SONO takes each,
// the board shows it sent with its request id, and its sent event
// carries the receipt. It returns the submission ids.
func (r *rig) file(n int) []string {
	r.t.Helper()
	k := testkit.MustKeys(r.t)
	var out []string
	for range n {
		r.next++
		f, err := envelope.ParseForm(testkit.Form910(r.iin, envelope.KindAdditional, 1000+r.next), envelope.FormOptions{})
		if err != nil {
			r.t.Fatal(err)
		}
		signed, err := envelope.SignForm(ctx, f, k.Taxpayer.Signer(), envelope.SignOptions{Now: time.Now()})
		if err != nil {
			r.t.Fatal(err)
		}
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(signed); err != nil {
			r.t.Fatal(err)
		}
		msgID := ids.UUID()
		o := r.client.Send(ctx, msgID, doc.Root())
		if o.Class != gateway.Success || o.Receipt == nil || o.Receipt.Error != nil {
			r.t.Fatalf("sandbox refused form %d: %s", r.next, o)
		}
		id := fmt.Sprintf("sub%04d", r.next)
		v := board.View{ID: id, Taxpayer: r.iin, Form: "910.00", Period: "2025-H1", Kind: string(envelope.KindAdditional),
			Status: statusfsm.StateSent, RequestID: o.Receipt.RequestID, Updated: time.Now()}
		if err := r.board.Set(ctx, v, nil); err != nil {
			r.t.Fatal(err)
		}
		ev := &board.Event{ID: id, From: statusfsm.StateQueued, To: statusfsm.StateSent, At: v.Updated,
			Receipt: &streams.Receipt{ID: id, RequestID: o.Receipt.RequestID, MessageID: msgID,
				Taxpayer: r.iin, Form: "910.00", Period: "2025-H1", Kind: string(envelope.KindAdditional), SentAt: v.Updated}}
		if err := r.board.Publish(ctx, r.iin, ev); err != nil {
			r.t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// disagreement reports, for the first form where they differ, how the
// board, the store and the last status event (highest Seq) disagree, or
// a form that is not terminal yet; "" when all agree and are terminal.
func (r *rig) disagreement(store *statusfsm.Store, ids []string) string {
	table := store.Table()
	for _, id := range ids {
		f, err := store.Get(id)
		if err != nil {
			return fmt.Sprintf("%s: store: %v", id, err)
		}
		v, err := r.board.Get(ctx, id)
		if err != nil {
			return fmt.Sprintf("%s: board: %v", id, err)
		}
		if !table.Terminal(f.State) {
			return fmt.Sprintf("%s: not terminal in the store (%s)", id, f.State)
		}
		if v.Status != f.State || v.Seq != f.Seq || !v.Terminal {
			return fmt.Sprintf("%s: board %s #%d, store %s #%d", id, v.Status, v.Seq, f.State, f.Seq)
		}
	}
	last, err := r.lastEvents()
	if err != nil {
		return err.Error()
	}
	for _, id := range ids {
		f, _ := store.Get(id)
		if e := last[id]; e.To != f.State {
			return fmt.Sprintf("%s: last event %s #%d, store %s #%d", id, e.To, e.Seq, f.State, f.Seq)
		}
	}
	return ""
}

// lastEvents reads SALYQ_STATUS message by message (no consumer) and
// returns the event with the highest Seq of every submission.
func (r *rig) lastEvents() (map[string]board.Event, error) {
	evs, err := r.events()
	if err != nil {
		return nil, err
	}
	last := map[string]board.Event{}
	for _, e := range evs {
		if e.Seq >= last[e.ID].Seq {
			last[e.ID] = e
		}
	}
	return last, nil
}

// events reads every event on SALYQ_STATUS, in stream order.
func (r *rig) events() ([]board.Event, error) {
	info, err := r.set.Status.Info(ctx)
	if err != nil {
		return nil, err
	}
	var out []board.Event
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := r.set.Status.GetMsg(ctx, seq)
		if err != nil {
			return nil, err
		}
		var e board.Event
		if err := json.Unmarshal(m.Data, &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// eventually polls cond until it returns "" or timeout passes, then
// fails with cond's last word.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msg := cond()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v: %s", what, timeout, msg)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, with a deadline
	}
}

func testLog() *slog.Logger {
	if testing.Verbose() && os.Getenv("SALYQ_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// countingHandler keeps the attributes of every log record by message,
// for tests that must see that a failure happened, and to what.
type countingHandler struct {
	slog.Handler
	pre  []slog.Attr // from WithAttrs
	mu   *sync.Mutex
	recs map[string][]map[string]string
}

func newCountingHandler(h slog.Handler) *countingHandler {
	return &countingHandler{Handler: h, mu: &sync.Mutex{}, recs: map[string][]map[string]string{}}
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *countingHandler) Handle(ctx context.Context, rec slog.Record) error {
	attrs := map[string]string{}
	for _, a := range h.pre {
		attrs[a.Key] = a.Value.String()
	}
	rec.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.String()
		return true
	})
	h.mu.Lock()
	h.recs[rec.Message] = append(h.recs[rec.Message], attrs)
	h.mu.Unlock()
	if h.Handler.Enabled(ctx, rec.Level) {
		return h.Handler.Handle(ctx, rec)
	}
	return nil
}

func (h *countingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.Handler = h.Handler.WithAttrs(as)
	c.pre = append(append([]slog.Attr(nil), h.pre...), as...)
	return &c
}

func (h *countingHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.Handler = h.Handler.WithGroup(name)
	return &c
}

// records returns the attributes of the records logged with msg.
func (h *countingHandler) records(msg string) []map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]string(nil), h.recs[msg]...)
}
