package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/ncakey"
)

// TestReadyz runs a service's HTTP listener (Serve with no parts) against
// an embedded NATS server: /readyz is 200, turns 503 with a reason within
// seconds of the server stopping while /healthz stays 200, and is 200
// again once the server is back on the same store.
func TestReadyz(t *testing.T) {
	dir := t.TempDir()
	natsPort, httpPort := testenv.FreePort(t), testenv.FreePort(t)
	start := func() *broker.Embedded {
		emb, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: dir, Port: natsPort, Durability: broker.Durability{SyncInterval: time.Minute}})
		if err != nil {
			t.Fatal(err)
		}
		return emb
	}
	emb := start()
	defer func() { emb.Shutdown() }()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := "127.0.0.1:" + strconv.Itoa(httpPort)
	rt, err := Open(ctx, Config{NATS: emb.URL(), Data: t.TempDir(), HTTP: addr}, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, rt, Parts{}) }()

	base := "http://" + addr
	waitStatus(t, base+"/readyz", http.StatusOK)
	waitStatus(t, base+"/healthz", http.StatusOK)

	emb.Shutdown()
	body := waitStatus(t, base+"/readyz", http.StatusServiceUnavailable)
	var r struct {
		Ready  bool   `json:"ready"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Ready || r.Reason == "" {
		t.Errorf("503 body %q: want ready false and a reason", body)
	}
	waitStatus(t, base+"/healthz", http.StatusOK)

	emb = start()
	waitStatus(t, base+"/readyz", http.StatusOK)

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

// waitStatus polls url until it answers code (at most 15 s) and returns
// the body.
func waitStatus(t *testing.T, url string, code int) []byte {
	t.Helper()
	client := &http.Client{Timeout: 3 * time.Second}
	deadline := time.Now().Add(15 * time.Second)
	last := "no answer"
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == code {
				return body
			}
			last = resp.Status + " " + string(body)
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer %d within 15s; last: %s", url, code, last)
	return nil
}

// TestDefaultHTTP: the worker and the poller do not take the intake's
// SALYQ_HTTP, so three services can share a machine and an env file.
func TestDefaultHTTP(t *testing.T) {
	t.Setenv("SALYQ_HTTP", "0.0.0.0:8480")
	for _, tc := range []struct {
		parts Parts
		env   string
		want  string
	}{
		{All, "", "0.0.0.0:8480"},
		{Parts{Intake: true}, "", "0.0.0.0:8480"},
		{Parts{Worker: true}, "", "127.0.0.1:8481"},
		{Parts{Poller: true}, "", "127.0.0.1:8482"},
		{Parts{Poller: true}, "0.0.0.0:9000", "0.0.0.0:9000"},
	} {
		t.Setenv("SALYQ_POLLER_HTTP", tc.env)
		if tc.env == "" {
			os.Unsetenv("SALYQ_POLLER_HTTP")
		}
		cfg, err := configOf(tc.parts)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.HTTP != tc.want {
			t.Errorf("%+v with SALYQ_POLLER_HTTP=%q: %q, want %q", tc.parts, tc.env, cfg.HTTP, tc.want)
		}
	}
}

// TestReadyzChecks: /readyz fails, naming the check, while any check of
// the process fails (an empty keystore, a store that cannot be read),
// and is ready again once it passes.
func TestReadyzChecks(t *testing.T) {
	rt, _ := provisioned(t)
	ks, err := ncakey.OpenKeystore(t.TempDir(), ncakey.KeystoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rt.Keys = ks
	h := NewHealth(rt)
	h.ttl = 0 // every probe asks again
	srv := httptest.NewServer(h.Wrap(nil))
	defer srv.Close()
	body := waitStatus(t, srv.URL+"/readyz", http.StatusServiceUnavailable)
	if !strings.Contains(string(body), "keys: no key loaded") {
		t.Errorf("empty keystore: %s", body)
	}
	rt.Keys = nil
	h = NewHealth(rt)
	h.ttl = 0
	var broken atomic.Bool
	broken.Store(true)
	h.Check("status store", func(context.Context) error {
		if broken.Load() {
			return errors.New("unreadable")
		}
		return nil
	})
	srv2 := httptest.NewServer(h.Wrap(nil))
	defer srv2.Close()
	if body := waitStatus(t, srv2.URL+"/readyz", http.StatusServiceUnavailable); !strings.Contains(string(body), "status store: unreadable") {
		t.Errorf("broken store: %s", body)
	}
	broken.Store(false)
	waitStatus(t, srv2.URL+"/readyz", http.StatusOK)
}
