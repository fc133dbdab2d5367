package test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// chaosTruth is what every part says about the forms once the services
// are stopped: the board, the last status event of each id, every
// poller's store, the dead letters, and what is left in the work queues.
type chaosTruth struct {
	board   map[string]board.View
	events  map[string]statusEvent // the last event of each id
	stores  map[string][]storeForm // id → the form in each store that has it
	dead    []deadLetter
	pending map[string]uint64 // work left: see left
}

// statusEvent is board.Event with the Seq helper H1 adds to it; before
// that, events carry none and the last in stream order counts.
type statusEvent struct {
	board.Event
	Seq       uint64 `json:"seq"`
	streamSeq uint64
}

type storeForm struct {
	poller string
	form   statusfsm.Form
}

type deadLetter struct {
	subject, id, reason, original string
	data                          []byte
}

// waitSettled polls the board until every id is terminal (dead letters
// are terminal too) or timeout, and returns the views.
func (r *chaosRig) waitSettled(ids []string, timeout time.Duration) map[string]board.View {
	deadline := time.Now().Add(timeout)
	for {
		views, open := r.boardViews(ids)
		if len(open) == 0 {
			return views
		}
		if time.Now().After(deadline) {
			r.t.Errorf("%d of %d forms not settled %s after the chaos; first: %s", len(open), len(ids), timeout, strings.Join(open[:min(10, len(open))], "; "))
			return views
		}
		time.Sleep(time.Second) // polling a condition, with a deadline
	}
}

// waitDrained polls the work left (see left) until there is none or
// timeout. A form can be final on the board while its message still
// waits: one delivered to a process killed before it acknowledged it
// comes again only when its ack wait runs out, and is then acknowledged
// as known. Nothing may stay there for longer.
func (r *chaosRig) waitDrained(timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		left, err := r.left(ctx)
		cancel()
		if (err == nil && len(left) == 0) || time.Now().After(deadline) {
			return // what is left is reported by checkSettled
		}
		time.Sleep(time.Second) // polling a condition, with a deadline
	}
}

// left is the work not done: the submissions the workers have not
// acknowledged, and the status events the pollers have not (the sent
// events carry the receipts), by stream; only the non-zero counts.
func (r *chaosRig) left(ctx context.Context) (map[string]uint64, error) {
	out := map[string]uint64{}
	for _, c := range []struct{ stream, consumer string }{
		{streams.Submissions, streams.ConsumerWorker}, {streams.Status, streams.ConsumerPoller},
	} {
		cons, err := r.js.Consumer(ctx, c.stream, c.consumer)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", c.stream, c.consumer, err)
		}
		info, err := cons.Info(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", c.stream, c.consumer, err)
		}
		if n := info.NumPending + uint64(info.NumAckPending); n > 0 {
			out[c.stream] = n
		}
	}
	return out, nil
}

// boardViews reads the views of ids and lists those not terminal.
func (r *chaosRig) boardViews(ids []string) (map[string]board.View, []string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	kv, err := r.js.KeyValue(ctx, streams.BucketState)
	if err != nil {
		return nil, []string{err.Error()}
	}
	b := board.New(r.js, &streams.Set{State: kv})
	views := map[string]board.View{}
	var open []string
	for _, id := range ids {
		v, err := b.Get(ctx, id)
		if err != nil {
			open = append(open, fmt.Sprintf("%s: %v", id, err))
			continue
		}
		views[id] = v
		if !v.Terminal {
			open = append(open, fmt.Sprintf("%s %q", id, v.Status))
		}
	}
	return views, open
}

// checkSandbox asserts SONO saw no form twice.
func (r *chaosRig) checkSandbox(forms int) {
	var st sonosim.Stats
	if err := getJSON(r.simURL+"/_sim/stats", &st); err != nil {
		r.t.Errorf("sandbox stats: %v", err)
		return
	}
	r.t.Logf("sandbox: %d filings of %d forms, %d duplicate, faults %v, drops %d, refusals %v, requests %v",
		st.FilingsAccepted, forms, st.DuplicateFilings, st.Faults, st.Drops, st.Refusals, st.Requests)
	if st.DuplicateFilings != 0 {
		r.t.Errorf("the sandbox saw %d duplicate filings: %v", st.DuplicateFilings, st.RepeatedFilings)
	}
	if st.FilingsAccepted > int64(forms) {
		r.t.Errorf("the sandbox accepted %d filings of %d forms", st.FilingsAccepted, forms)
	}
	if len(st.Faults) == 0 {
		r.t.Errorf("the sandbox injected no fault: the test proved less than it claims")
	}
}

// checkAliveAndStop asserts no process died on its own and every one
// still runs, then stops the services and the sandbox with SIGTERM: each
// must exit 0. The cluster stays up for gatherTruth.
func (r *chaosRig) checkAliveAndStop() {
	for _, p := range r.all() {
		if c := p.crashes(); len(c) > 0 {
			r.t.Errorf("%s exited on its own %d times: %s", p.name, len(c), strings.Join(c, "; "))
		}
		if !p.alive() {
			r.t.Errorf("%s is not running at the end", p.name)
		}
	}
	r.checkProbes()
	// In parallel: a service that hangs on SIGTERM costs its timeout once.
	var wg sync.WaitGroup
	for _, p := range append(r.services(), r.sim) {
		wg.Go(func() {
			if err := p.stop(2 * time.Minute); err != nil {
				r.t.Errorf("%s on SIGTERM: %v", p.name, err)
			}
		})
	}
	wg.Wait()
}

// gatherTruth reads the board, the status events, the dead letters, the
// work queues and every poller's store.
func (r *chaosRig) gatherTruth(ids []string) chaosTruth {
	t := chaosTruth{events: map[string]statusEvent{}, stores: map[string][]storeForm{}, pending: map[string]uint64{}}
	t.board, _ = r.boardViews(ids)
	for _, m := range r.readStream(streams.Status) {
		var ev statusEvent
		if err := json.Unmarshal(m.data, &ev); err != nil {
			r.t.Errorf("status event %d: %v", m.seq, err)
			continue
		}
		ev.streamSeq = m.seq
		if last, ok := t.events[ev.ID]; !ok || ev.Seq > last.Seq || (ev.Seq == last.Seq && ev.streamSeq > last.streamSeq) {
			t.events[ev.ID] = ev
		}
	}
	for _, m := range r.readStream(streams.DLQ) {
		t.dead = append(t.dead, deadLetter{subject: m.subject, id: m.header.Get(streams.HeaderID), reason: m.header.Get(streams.HeaderReason),
			original: m.header.Get(streams.HeaderOriginalSubject), data: m.data})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	left, err := r.left(ctx)
	cancel()
	if err != nil {
		r.t.Error(err)
	}
	maps.Copy(t.pending, left)
	for _, p := range r.pollers {
		st, err := statusfsm.Open(filepath.Join(r.pollerDir[p], "status.db"), nil)
		if err != nil {
			r.t.Errorf("%s: %v", p.name, err)
			continue
		}
		for _, id := range ids {
			f, err := st.Get(id)
			if errors.Is(err, statusfsm.ErrNotFound) {
				continue
			}
			if err != nil {
				r.t.Errorf("%s: %v", p.name, err)
				continue
			}
			t.stores[id] = append(t.stores[id], storeForm{p.name, f})
		}
		st.Close()
	}
	return t
}

// streamMsg is one message read back from a stream.
type streamMsg struct {
	seq     uint64
	subject string
	header  nats.Header
	data    []byte
}

// readStream reads every message of a stream in order.
func (r *chaosRig) readStream(name string) []streamMsg {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cons, err := r.js.OrderedConsumer(ctx, name, jetstream.OrderedConsumerConfig{})
	if err != nil {
		r.t.Errorf("reading %s: %v", name, err)
		return nil
	}
	info, err := cons.Info(ctx)
	if err != nil {
		r.t.Errorf("reading %s: %v", name, err)
		return nil
	}
	// One long-lived iterator: every Fetch of an ordered consumer
	// recreates it, which on a cluster is slow enough to time out.
	it, err := cons.Messages()
	if err != nil {
		r.t.Errorf("reading %s: %v", name, err)
		return nil
	}
	defer it.Stop()
	var out []streamMsg
	for range info.NumPending {
		m, err := it.Next(jetstream.NextMaxWait(30 * time.Second))
		if err != nil {
			r.t.Errorf("reading %s: message %d of %d: %v", name, len(out)+1, info.NumPending, err)
			break
		}
		md, err := m.Metadata()
		if err != nil {
			r.t.Errorf("reading %s: %v", name, err)
			continue
		}
		out = append(out, streamMsg{seq: md.Sequence.Stream, subject: m.Subject(), header: m.Headers(), data: m.Data()})
	}
	return out
}

// checkSettled asserts every good form is terminal, and a dead-lettered
// one has a reason and a dead letter; and that no work queue holds a
// message any more.
func (r *chaosRig) checkSettled(ids []string, truth chaosTruth) {
	var bad []string
	for _, id := range ids {
		v, ok := truth.board[id]
		switch {
		case !ok:
			bad = append(bad, id+": not on the board")
		case !v.Terminal:
			bad = append(bad, fmt.Sprintf("%s: %q, not terminal", id, v.Status))
		case v.Status == statusfsm.StateFailedDelivery:
			if v.Reason == "" || !truth.hasDeadLetter(id) {
				bad = append(bad, fmt.Sprintf("%s: failed-delivery with reason %q, dead letter found: %v", id, v.Reason, truth.hasDeadLetter(id)))
			}
		}
	}
	report(r, "forms not settled", bad)
	for name, n := range truth.pending {
		if n != 0 {
			r.t.Errorf("%s: %d messages not done at the end (a poisoned message in front of the queue?)", name, n)
		}
	}
}

func (t chaosTruth) hasDeadLetter(id string) bool {
	for _, d := range t.dead {
		if (d.id == id || d.subject == streams.DLQPrefix+id) && d.reason != "" {
			return true
		}
	}
	return false
}

// checkAgreement asserts, for every form, board = poller store = last
// status event. A form dead-lettered before SONO had it has no store
// entry. With several stores (pollers that shared the receipts, or a
// standby's stale copy) the store that holds the form in a terminal state
// speaks for the pollers; two that disagree on a terminal state are a
// failure.
func (r *chaosRig) checkAgreement(ids []string, truth chaosTruth) {
	table := statusfsm.DefaultTable()
	var bad []string
	agree := 0
	for _, id := range ids {
		v := truth.board[id]
		ev, hasEv := truth.events[id]
		var store string
		var stores []string
		for _, s := range truth.stores[id] {
			stores = append(stores, s.poller+"="+string(s.form.State))
			if table.Terminal(s.form.State) {
				if store != "" && store != string(s.form.State) {
					bad = append(bad, fmt.Sprintf("%s: stores disagree: %v", id, stores))
				}
				store = string(s.form.State)
			}
		}
		if store == "" && len(truth.stores[id]) > 0 {
			store = string(truth.stores[id][0].form.State)
		}
		reached := store != "" || v.Status != statusfsm.StateFailedDelivery
		switch {
		case !hasEv:
			bad = append(bad, fmt.Sprintf("%s: board %q, no status event", id, v.Status))
		case ev.To != v.Status:
			bad = append(bad, fmt.Sprintf("%s: board %q, last event %q (seq %d), stores %v", id, v.Status, ev.To, ev.Seq, stores))
		case reached && store == "":
			bad = append(bad, fmt.Sprintf("%s: board %q, in no poller's store", id, v.Status))
		case reached && store != string(v.Status):
			bad = append(bad, fmt.Sprintf("%s: board %q, stores %v", id, v.Status, stores))
		default:
			agree++
		}
	}
	r.t.Logf("chaos: board, store and last event agree for %d of %d forms", agree, len(ids))
	report(r, "forms whose board, poller store and last status event disagree", bad)
}

// checkPoison asserts every poison message ended as a dead letter whose
// reason starts with "poison".
func (r *chaosRig) checkPoison(poison []poisonMsg, truth chaosTruth) {
	for _, p := range poison {
		found := false
		for _, d := range truth.dead {
			if !bytes.Equal(d.data, p.msg.Data) && (d.id == "" || d.id != p.msg.Header.Get(streams.HeaderID)) {
				continue
			}
			found = true
			if !strings.HasPrefix(d.reason, "poison") {
				r.t.Errorf("poison %s: dead-lettered on %s with reason %q, want poison…", p.name, d.subject, d.reason)
			}
		}
		if !found {
			r.t.Errorf("poison %s: no dead letter", p.name)
		}
	}
}

// report fails the test with the first of a list of problems.
func report(r *chaosRig, what string, bad []string) {
	if len(bad) > 0 {
		r.t.Errorf("%d %s; first:\n  %s", len(bad), what, strings.Join(bad[:min(len(bad), 15)], "\n  "))
	}
}
