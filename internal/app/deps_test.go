package app

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServiceBinariesProductOnly: the service binaries link neither the
// sandbox, nor the test PKI issuer, nor go-pkcs12 (which only the issuer
// needs, to write .p12 files): what runs in production is only product.
func TestServiceBinariesProductOnly(t *testing.T) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	forbidden := []string{
		"github.com/salyq/salyq/internal/sonosim",
		"github.com/salyq/salyq/internal/ncatest",
		"software.sslmate.com/src/go-pkcs12",
	}
	for _, bin := range []string{"./cmd/producer", "./cmd/worker", "./cmd/poller"} {
		cmd := exec.Command("go", "list", "-deps", bin)
		cmd.Dir = root
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", bin, err, stderr.String())
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 {
			t.Fatalf("go list -deps %s listed %d packages: %q", bin, len(deps), out)
		}
		for _, d := range deps {
			for _, f := range forbidden {
				if d == f || strings.HasPrefix(d, f+"/") {
					t.Errorf("%s links %s", bin, d)
				}
			}
		}
	}
}

// TestServiceNeedsGateway: a service binary has no sandbox to fall back
// on, so a missing --gateway or --keys is a configuration error that says
// so, not a test PKI made on the spot.
func TestServiceNeedsGateway(t *testing.T) {
	var errs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, parts := range []Parts{{Worker: true}, {Poller: true}} {
		err := Service("service", parts)(ctx, []string{"--data", t.TempDir(), "--http", ""}, IO{Out: &errs, Err: &errs})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "--gateway") {
			t.Errorf("%s without --gateway: %v", parts, err)
		}
	}
	// The producer needs no gateway, but keys: without a sandbox there
	// are none to make up, which it says before connecting anywhere.
	err := Service("producer", Parts{Intake: true})(ctx, []string{"--data", t.TempDir(), "--http", "", "--nats", "nats://127.0.0.1:1", "--start-timeout", "1h"}, IO{Out: &errs, Err: &errs})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "--keys") {
		t.Errorf("producer without --keys: %v", err)
	}
	rt := &Runtime{Cfg: Config{Data: t.TempDir()}, Clock: time.Now}
	if err := rt.OpenKeys(); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "--keys") {
		t.Errorf("keys without --keys and a sandbox: %v", err)
	}
	if rt.Sandbox != nil {
		t.Error("a runtime without OpenSandbox opened a sandbox")
	}
	if err := Main(ctx, []string{"demo", "--data", t.TempDir()}, IO{Out: &errs, Err: &errs}); !errors.Is(err, ErrConfig) {
		t.Errorf("demo without a sandbox: %v", err)
	}
}
