package broker_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/testenv"
)

// TestDialWaitsForServer: a service started before NATS keeps trying,
// logs each try, and connects once the server is up.
func TestDialWaitsForServer(t *testing.T) {
	port := testenv.FreePort(t)
	url := "nats://127.0.0.1:" + strconv.Itoa(port)
	var logs testenv.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	type result struct {
		err error
		js  jetstream.JetStream
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		nc, js, err := broker.Dial(ctx, url, "dial-test", broker.Patience{Log: log, Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond})
		if err == nil {
			t.Cleanup(nc.Close)
		}
		done <- result{err, js}
	}()
	// Start the server only once Dial has failed at least once.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "not ready yet") {
		if time.Now().After(deadline) {
			t.Fatalf("no retry logged:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	emb, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: t.TempDir(), Port: port, Durability: broker.Durability{SyncInterval: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	r := <-done
	if r.err != nil {
		t.Fatalf("Dial: %v\n%s", r.err, logs.String())
	}
	if _, err := r.js.AccountInfo(ctx); err != nil {
		t.Fatalf("JetStream after Dial: %v", err)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "next_in=") {
		t.Errorf("retries not logged at WARN with the next delay:\n%s", logs.String())
	}
}

// TestDialGivesUp: with no server and a short start timeout, Dial fails
// with the last error instead of waiting forever.
func TestDialGivesUp(t *testing.T) {
	url := "nats://user:secret@127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
	var logs testenv.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := broker.Dial(ctx, url, "dial-test", broker.Patience{Log: slog.New(slog.NewTextHandler(&logs, nil)), Initial: 50 * time.Millisecond})
	var gave *broker.GaveUpError
	if !errors.As(err, &gave) || !errors.Is(err, broker.ErrGaveUp) || gave.Last == nil || gave.Tries < 2 {
		t.Fatalf("err = %v, want a GaveUpError after several tries", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("gave up after %v, the bound was 700ms", took)
	}
	if strings.Contains(err.Error()+logs.String(), "secret") {
		t.Errorf("the URL's password leaked:\n%v\n%s", err, logs.String())
	}
}

// TestRetryStopsOnPermanent: an error that is not temporary ends the
// retries at once.
func TestRetryStopsOnPermanent(t *testing.T) {
	boom := errors.New("boom")
	tries := 0
	err := broker.Retry(context.Background(), broker.Patience{Initial: time.Millisecond}, "test", broker.Temporary, func(context.Context) error {
		tries++
		return boom
	})
	if !errors.Is(err, boom) || tries != 1 {
		t.Fatalf("err %v after %d tries, want boom after 1", err, tries)
	}
	tries = 0
	err = broker.Retry(context.Background(), broker.Patience{Initial: time.Millisecond}, "test", broker.Temporary, func(context.Context) error {
		if tries++; tries < 3 {
			return jetstream.ErrJetStreamNotEnabled
		}
		return nil
	})
	if err != nil || tries != 3 {
		t.Fatalf("err %v after %d tries, want success on the third", err, tries)
	}
}

func TestRedact(t *testing.T) {
	got := broker.Redact("nats://u:p@a:4222,nats://b:4222")
	if got != "nats://a:4222,nats://b:4222" {
		t.Errorf("Redact = %q", got)
	}
}
