package poller_test

import (
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/poller"
	"github.com/salyq/salyq/internal/streams"
)

// TestPollerExitsWhenConsumerStops: an active poller whose connection is
// closed for good returns an error wrapping ErrStopped, so the process
// exits non-zero and is restarted, instead of standing by forever on a
// dead connection.
func TestPollerExitsWhenConsumerStops(t *testing.T) {
	r := newRig(t, time.Second)
	nc, p := pollerOnOwnConnection(t, r, "doomed")
	runUntilStopped(t, p, nc, func() {
		eventually(t, 5*time.Second, "poller active", func() string {
			if !p.Active() {
				return "standing by"
			}
			return ""
		})
	})
}

// TestStandbyExitsWhenConnectionCloses: a standby poller whose connection
// is closed for good returns an error instead of standing by forever.
func TestStandbyExitsWhenConnectionCloses(t *testing.T) {
	r := newRig(t, time.Second)
	a := r.startPoller("a", r.openStore(filepath.Join(r.dir, "a.db")), 5*time.Second, true)
	eventually(t, 5*time.Second, "a active", func() string {
		if !a.p.Active() {
			return "standing by"
		}
		return ""
	})
	nc, p := pollerOnOwnConnection(t, r, "b")
	runUntilStopped(t, p, nc, func() {})
	if p.Active() {
		t.Error("the standby became active")
	}
}

// pollerOnOwnConnection makes a poller named name whose NATS connection
// is its own, for a test to close.
func pollerOnOwnConnection(t *testing.T, r *rig, name string) (*nats.Conn, *poller.Poller) {
	t.Helper()
	nc, js, err := broker.Connect(r.emb.URL(), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	set, err := streams.Lookup(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	p, err := poller.New(ctx, poller.Config{
		JS: js, Store: r.openStore(filepath.Join(r.dir, name+".db")), Gateway: r.client, Keys: r.keys,
		Board: board.New(js, set), Leases: set.Leases, Name: name, ActiveLease: 5 * time.Second,
		Tick: 20 * time.Millisecond, Clock: time.Now, Log: slog.New(r.logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	return nc, p
}

// runUntilStopped runs p, closes nc once ready says so, and wants Run to
// return ErrStopped.
func runUntilStopped(t *testing.T, p *poller.Poller, nc *nats.Conn, ready func()) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	ready()
	nc.Close()
	select {
	case err := <-done:
		if !errors.Is(err, poller.ErrStopped) {
			t.Errorf("Run returned %v, want ErrStopped", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its connection closed")
	}
}
