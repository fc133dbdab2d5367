package filed_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/filed"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
)

var ctx = context.Background()

// follow opens the index at path, follows SALYQ_FILED until the test
// ends or stop is called, and waits until it is ready.
func follow(t *testing.T, js jetstream.JetStream, path string) (idx *filed.Index, stop func()) {
	t.Helper()
	idx, err := filed.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		idx.Follow(fctx, js, slog.New(slog.DiscardHandler)) //nolint:errcheck // ends with fctx
	}()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
			idx.Close()
		}
	}
	t.Cleanup(stop)
	select {
	case <-idx.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("index not ready")
	}
	return idx, stop
}

// waitFiled polls the index until it knows id.
func waitFiled(t *testing.T, idx *filed.Index, id string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ok, err := idx.Filed(ctx, id); err != nil {
			t.Fatal(err)
		} else if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not in the index", id)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, with a deadline
	}
}

// TestIndexFollows: ids recorded before the index opens are there once it
// is ready, later ones arrive, and a reopened index continues from where
// it stopped.
func TestIndexFollows(t *testing.T) {
	js, set := testkit.JetStream(t)
	for i := range 3000 {
		if err := filed.Record(ctx, js, fmt.Sprintf("early%04d", i)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "filed.db")
	idx, stop := follow(t, js, path)
	for _, id := range []string{"early0000", "early2999"} {
		if ok, err := idx.Filed(ctx, id); err != nil || !ok {
			t.Fatalf("Filed(%s) = %v, %v once ready; want true", id, ok, err)
		}
	}
	if ok, _ := idx.Filed(ctx, "never"); ok {
		t.Fatal("an id never recorded is filed")
	}
	if err := filed.Record(ctx, js, "late", "late2"); err != nil {
		t.Fatal(err)
	}
	waitFiled(t, idx, "late")
	waitFiled(t, idx, "late2")
	stop()
	// The follower's consumer went with it.
	info, err := set.Filed.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Consumers != 0 {
		t.Fatalf("%d consumers left on SALYQ_FILED by a stopped index", info.State.Consumers)
	}

	if err := filed.Record(ctx, js, "whileClosed"); err != nil {
		t.Fatal(err)
	}
	idx, _ = follow(t, js, path)
	if ok, err := idx.Filed(ctx, "whileClosed"); err != nil || !ok {
		t.Fatalf("reopened index: Filed(whileClosed) = %v, %v; want true", ok, err)
	}
	if n, err := idx.Len(); err != nil || n != 3003 {
		t.Fatalf("reopened index holds %d ids (%v), want 3003", n, err)
	}
}

// TestIndexNotReady: before it caught up the index answers ErrNotReady,
// never a "no" it cannot vouch for.
func TestIndexNotReady(t *testing.T) {
	idx, err := filed.Open(filepath.Join(t.TempDir(), "filed.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if _, err := idx.Filed(ctx, "x"); !errors.Is(err, filed.ErrNotReady) {
		t.Fatalf("err = %v, want ErrNotReady", err)
	}
}

// TestIndexRecreatedStream: an index that read further than the stream
// goes (the stream was deleted and made again) starts over instead of
// skipping the new stream's ids.
func TestIndexRecreatedStream(t *testing.T) {
	js, set := testkit.JetStream(t)
	for i := range 5 {
		if err := filed.Record(ctx, js, fmt.Sprintf("old%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "filed.db")
	_, stop := follow(t, js, path)
	stop()
	cfg := set.Filed.CachedInfo().Config
	if err := js.DeleteStream(ctx, streams.Filed); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if err := filed.Record(ctx, js, "new"); err != nil {
		t.Fatal(err)
	}
	idx, _ := follow(t, js, path)
	if ok, err := idx.Filed(ctx, "new"); err != nil || !ok {
		t.Fatalf("Filed(new) = %v, %v; want true", ok, err)
	}
	if ok, _ := idx.Filed(ctx, "old0"); ok {
		t.Fatal("an id of the deleted stream is still filed")
	}
}
