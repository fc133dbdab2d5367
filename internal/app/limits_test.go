package app

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/httplimit"
	"github.com/salyq/salyq/internal/intake"
)

// TestMaxFormSizeOverPayload: an intake whose maximum form size cannot
// fit the NATS server's max_payload (8 MiB embedded) refuses to start,
// saying which settings to change; the default fits.
func TestMaxFormSizeOverPayload(t *testing.T) {
	emb, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: t.TempDir(), Durability: broker.Durability{SyncInterval: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Shutdown()
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
	var c Config
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Register(fs)
	if err := fs.Parse([]string{"--http-read-timeout", "5s", "--http-max-read-bytes", "3MiB"}); err != nil {
		t.Fatal(err)
	}
	l := c.httpLimits()
	if c.maxFormSize() != 1<<20 || l.MaxConcurrent != 7 || l.ReadTimeout != 5*time.Second || l.MaxReadBytes != 3<<20 || l.MaxBody != 1<<20 || l.IdleTimeout != httplimit.Defaults().IdleTimeout {
		t.Errorf("limits %+v, max form %d", l, c.maxFormSize())
	}
	if err := fs.Parse([]string{"--max-form-size", "4MB"}); err == nil {
		t.Error("--max-form-size 4MB accepted: only KiB, MiB, GiB are unambiguous")
	}
}
