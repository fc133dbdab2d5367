package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/httplimit"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/internal/testkit"
)

// TestMaxFormSizeOverPayload: an intake whose maximum form size cannot
// fit the NATS server's max_payload (8 MiB embedded) refuses to start,
// saying which settings to change; the default fits.
func TestMaxFormSizeOverPayload(t *testing.T) {
	emb := testkit.NATS(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rt, err := Open(context.Background(), Config{NATS: emb.URL(), Data: t.TempDir()}, log, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if _, err := rt.NewIntake(); err != nil {
		t.Fatalf("default maximum form size: %v", err)
	}
	rt.Cfg.MaxFormSize = 8 << 20
	rt.Cfg.HTTP = "127.0.0.1:0"
	err = Serve(context.Background(), rt, Parts{Intake: true})
	if !errors.Is(err, intake.ErrPayloadLimit) || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "max_payload") || !strings.Contains(err.Error(), "SALYQ_MAX_FORM_SIZE") {
		t.Fatalf("start with an 8 MiB maximum on an 8 MiB server: %v", err)
	}
}

// TestLimitFlags: the limit flags and their variables reach Config.
func TestLimitFlags(t *testing.T) {
	t.Setenv("SALYQ_MAX_FORM_SIZE", "1MiB")
	t.Setenv("SALYQ_HTTP_MAX_CONCURRENT", "7")
	c, err := configOf(All, "--http-read-timeout", "5s", "--http-max-read-bytes", "3MiB")
	if err != nil {
		t.Fatal(err)
	}
	l := c.httpLimits()
	if c.maxFormSize() != 1<<20 || l.MaxConcurrent != 7 || l.ReadTimeout != 5*time.Second || l.MaxReadBytes != 3<<20 || l.MaxBody != 1<<20 || l.IdleTimeout != httplimit.Defaults().IdleTimeout {
		t.Errorf("limits %+v, max form %d", l, c.maxFormSize())
	}
	if _, err := configOf(All, "--max-form-size", "4MB"); err == nil {
		t.Error("--max-form-size 4MB accepted: only KiB, MiB, GiB are unambiguous")
	}
}

// TestServeLimits: the listener Serve runs has the configured limits — a
// connection that sends nothing is closed after the header timeout, while
// the probes keep answering.
func TestServeLimits(t *testing.T) {
	emb := testkit.NATS(t)
	addr := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
	cfg := Config{NATS: emb.URL(), Data: t.TempDir(), HTTP: addr}
	cfg.HTTPLimits = httplimit.Defaults()
	cfg.HTTPLimits.ReadHeaderTimeout = 200 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rt, err := Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, rt, Parts{}) }()
	waitStatus(t, "http://"+addr+"/healthz", http.StatusOK)

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	closed := make(chan time.Duration, 1)
	start := time.Now()
	go func() {
		io.Copy(io.Discard, c)
		closed <- time.Since(start)
	}()
	select {
	case d := <-closed:
		t.Logf("silent connection closed after %s", d.Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Fatal("a silent connection was not closed: the listener has no header timeout")
	}
	waitStatus(t, "http://"+addr+"/readyz", http.StatusOK)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
