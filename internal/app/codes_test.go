package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/ids"
	"github.com/salyq/salyq/internal/metrics"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestCodesFile: --codes reaches the gateway client: the sandbox answers
// every request with fault 99999, which the built-in table calls
// transient and the operator's file permanent; a bad file stops the
// start, naming the flag.
func TestCodesFile(t *testing.T) {
	dir := t.TempDir()
	pki, err := sonosim.OpenPKI(filepath.Join(dir, "pki"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sim := sonosim.Config{StatusStep: time.Hour, Seed: 1, Faults: sonosim.Faults{TransientRate: 1}}
	pki.Apply(&sim)
	srv, err := sonosim.New(sim)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	codes := filepath.Join(dir, "codes.json")
	if err := os.WriteFile(codes, []byte(`{"`+envelope.FaultTechnical+`": "permanent"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"99999": "fatal"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	open := func(file string) (*Runtime, error) {
		rt := &Runtime{
			Cfg: Config{Gateway: hs.URL + "/bip-sync-wss-gost/", Keys: pki.KeystoreDir, TransportKey: pki.TransportKeyFile,
				GatewayCert: pki.GatewayCertFile, Codes: file, Timeout: 5 * time.Second, SenderID: "salyq-test"},
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: time.Now, NewID: ids.UUID,
			DeliveryPolicy: delivery.DefaultPolicy(), Metrics: metrics.New(),
		}
		return rt, rt.OpenGateway(context.Background())
	}
	status := func(rt *Runtime) gateway.Outcome {
		t.Helper()
		for _, e := range rt.Keys.Entries() {
			if e.Key.Identity().TaxpayerID() == "" {
				continue
			}
			return rt.Gateway.Status(context.Background(), envelope.StatusRequest{MessageID: ids.UUID()}, e.Key.Signer())
		}
		t.Fatal("no taxpayer key in the sandbox keystore")
		return gateway.Outcome{}
	}

	rt, err := open("")
	if err != nil {
		t.Fatal(err)
	}
	if o := status(rt); o.Class != gateway.Transient || o.Code != envelope.FaultTechnical {
		t.Errorf("built-in table: %v %s (%v), want transient %s", o.Class, o.Code, o.Err, envelope.FaultTechnical)
	}
	if rt, err = open(codes); err != nil {
		t.Fatal(err)
	}
	if o := status(rt); o.Class != gateway.Permanent {
		t.Errorf("with --codes: %v %s (%v), want permanent", o.Class, o.Code, o.Err)
	}
	if _, err := open(bad); !errors.Is(err, ErrConfig) || !errors.Is(err, gateway.ErrCodesFile) || !strings.Contains(err.Error(), "--codes") {
		t.Errorf("bad codes file: %v", err)
	}
}
