package poller_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/internal/poller"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// breakClock runs at the speed of real time from where it was set; it
// counts how often it is read.
type breakClock struct {
	mu     sync.Mutex
	base   time.Time
	origin time.Time
	reads  int
}

func (c *breakClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	return c.base.Add(time.Since(c.origin))
}

func (c *breakClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.origin = t, time.Now()
}

func (c *breakClock) read() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
}

// TestNoPollsInBreak: the gateway takes no request during a planned
// break, status queries included. The poller records the receipt of a
// form filed just before, polls nothing however often it looks through
// the break, logs it, and polls the form once the break is over.
func TestNoPollsInBreak(t *testing.T) {
	r := newRig(t, 30*time.Millisecond)
	sched, err := breaks.Parse("21:00-22:00")
	if err != nil {
		t.Fatal(err)
	}
	clock := &breakClock{}
	clock.set(time.Date(2026, 12, 7, 21, 30, 0, 0, envelope.Almaty()))
	store, err := statusfsm.Open(filepath.Join(r.dir, "status.db"), &statusfsm.Options{NoSync: true, Clock: clock.Now,
		Backoff: statusfsm.Backoff{Min: 20 * time.Millisecond, Max: 150 * time.Millisecond, Factor: 1.5}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	p, err := poller.New(ctx, poller.Config{
		JS: r.js, Store: store, Gateway: r.client, Keys: r.keys, Board: r.board,
		Leases: r.set.Leases, Name: "p-break", ReleaseOnStop: true, Breaks: sched,
		Concurrency: 4, Tick: 20 * time.Millisecond, Lease: 10 * time.Second,
		Clock: clock.Now, Log: slog.New(r.logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(pctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("poller: %v", err)
		}
	})

	id := r.file(1)[0]
	eventually(t, 10*time.Second, "the receipt recorded", func() string {
		if _, err := store.Get(id); err != nil {
			return err.Error()
		}
		return ""
	})
	if len(r.logs.records("planned break: polling paused")) != 1 {
		t.Errorf("the pause is not logged once: %v", r.logs.records("planned break: polling paused"))
	}
	// Twenty more looks at the clock: twenty chances to poll.
	seen := clock.read()
	eventually(t, 10*time.Second, "the poller looking at its schedule", func() string {
		if clock.read() < seen+20 {
			return "not yet"
		}
		return ""
	})
	if st := r.sim.Stats(); st.Requests[envelope.ServiceStatus] != 0 {
		t.Fatalf("polled during the break: %v", st.Requests)
	}

	clock.set(time.Date(2026, 12, 7, 22, 0, 0, 0, envelope.Almaty()))
	eventually(t, 10*time.Second, "a poll after the break", func() string {
		if f, err := store.Get(id); err != nil || f.Polls == 0 {
			return "not polled"
		}
		return ""
	})
	if len(r.logs.records("planned break over: polling resumed")) != 1 {
		t.Errorf("the end of the break is not logged once")
	}
}
