package poller

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testkit"
)

// TestLeaseTakenBack: a poller that stood down while NATS was out of
// reach finds its own last write still in the key and takes the lease
// back at once, not a whole lease later; a key another poller wrote makes
// it wait.
func TestLeaseTakenBack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, set := testkit.JetStream(t)
	const period = 3 * time.Second
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := &lease{kv: set.Leases, holder: "host/a", period: period, now: time.Now, log: quiet}
	first, err := a.acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	again, err := a.acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > period/3 {
		t.Errorf("took its own lease back after %v, want at once", took)
	}
	if again.rev <= first.rev {
		t.Errorf("taken back at revision %d, not after %d", again.rev, first.rev)
	}

	b := &lease{kv: set.Leases, holder: "host/b", period: period, now: time.Now, log: quiet}
	start = time.Now()
	if _, err := b.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < period {
		t.Errorf("another poller's lease taken over after %v, before a whole lease", took)
	}
}
