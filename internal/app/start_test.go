package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/internal/testkit"
)

// waitLog polls until the log holds s.
func waitLog(t *testing.T, l *testenv.Buffer, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(l.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("log never showed %q:\n%s", s, l.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPatientStartFreshCluster: a service started before its R3 cluster
// waits — no server, then one node without a quorum — logging each try,
// and provisions once the cluster is there.
func TestPatientStartFreshCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	c := testkit.NewCluster(t, 3)
	var logs testenv.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	done := make(chan error, 1)
	var rt *Runtime
	go func() {
		var err error
		rt, err = Open(context.Background(), Config{NATS: c.URLs(), Data: t.TempDir(), Replicas: 3, StartTimeout: 30 * time.Second}, log, false)
		done <- err
	}()
	waitLog(t, &logs, "connecting to NATS")
	c.Start(t, 0)
	waitLog(t, &logs, "provisioning JetStream")
	c.Start(t, 1)
	c.Start(t, 2)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Open: %v\n%s", err, logs.String())
		}
	case <-time.After(90 * time.Second):
		t.Fatalf("Open did not return once the cluster was up:\n%s", logs.String())
	}
	defer rt.Close()
	t.Logf("start-up log:\n%s", logs.String())
	info, err := rt.Streams.Submissions.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Replicas != 3 {
		t.Errorf("replicas %d, want 3", info.Config.Replicas)
	}
}

// TestStartTimeout: with no NATS and a short --start-timeout a service
// gives up with the last error instead of waiting forever; an admin
// command gives up within its own short bound.
func TestStartTimeout(t *testing.T) {
	c := testkit.NewCluster(t, 1) // never started: a URL nobody answers
	start := time.Now()
	_, err := Open(context.Background(), Config{NATS: c.URLs(), Data: t.TempDir(), StartTimeout: 500 * time.Millisecond},
		slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if !errors.Is(err, broker.ErrGaveUp) {
		t.Fatalf("err = %v, want ErrGaveUp", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("gave up after %v with a 500ms start timeout", took)
	}
}
