package test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/httplimit"
	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/client"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// harness is the whole product on one machine, as in production: a real
// nats-server inside the test process with a temp file store, the sandbox
// gateway over real HTTP, the pipeline in-process with a real bbolt file.
type harness struct {
	t         testing.TB
	o         harnessOptions
	rt        *app.Runtime
	sim       *sonosim.Server
	taxpayers []string
	stop      context.CancelFunc
	done      chan error
	client    *client.Client
	validator *apiValidator
}

type harnessOptions struct {
	taxpayers int
	faults    sonosim.Faults
	step      time.Duration
	// log receives every part's log lines as JSON at DEBUG; nil: none
	// (SALYQ_TEST_LOG=1 with -v: stderr).
	log io.Writer
	// http is the services' --http address (probes, /metrics); empty:
	// none.
	http string
	// keyPassword and senderPassword replace the default passwords, for
	// tests that look for them where they must not be.
	keyPassword, senderPassword string
	// retention is --retention: how long finished records stay on the
	// board; zero: for good.
	retention time.Duration
	// dupWindow replaces the hour of SALYQ_SUBMISSIONS' duplicate
	// window, for tests that must get past it.
	dupWindow time.Duration
	// swappedLine adds a container whose passwords-file line has its
	// columns swapped.
	swappedLine bool
	// weights choose the sandbox's scenarios; zero: its defaults.
	weights sonosim.Weights
	// noticeWatch and noticeEvery are --notice-watch and --notice-every;
	// zero: no watch, polling stops at the final status.
	noticeWatch, noticeEvery time.Duration
}

// fixture keys are made once per test binary: RSA key generation is slow.
var fixture = sync.OnceValues(func() (*fixtureKeys, error) {
	pki, err := ncatest.New(ncatest.Options{})
	if err != nil {
		return nil, err
	}
	f := &fixtureKeys{pki: pki}
	for i := range 8 {
		is, err := pki.Issue(ncatest.Request{Role: ncakey.RoleIndividual, Usage: ncakey.UsageSign, IIN: ncatest.NewIIN(1000 + i)})
		if err != nil {
			return nil, err
		}
		f.taxpayers = append(f.taxpayers, is)
	}
	if f.transport, err = pki.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem, Usage: ncakey.UsageSign}); err != nil {
		return nil, err
	}
	if f.gateway, err = pki.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem, Usage: ncakey.UsageSign}); err != nil {
		return nil, err
	}
	return f, nil
})

type fixtureKeys struct {
	pki                *ncatest.PKI
	taxpayers          []*ncatest.Issued
	transport, gateway *ncatest.Issued
}

func newHarness(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	keys, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyDir := filepath.Join(dir, "keys")
	os.MkdirAll(keyDir, 0o700)
	var passwords []byte
	h := &harness{t: t, o: o}
	pw := o.keyPassword
	if pw == "" {
		pw = "pw"
	}
	for i, k := range keys.taxpayers[:o.taxpayers] {
		name := "taxpayer" + string(rune('a'+i)) + ".p12"
		if err := k.WriteP12(filepath.Join(keyDir, name), pw); err != nil {
			t.Fatal(err)
		}
		passwords = append(passwords, name+" "+pw+"\n"...)
		h.taxpayers = append(h.taxpayers, k.Identity().IIN)
	}
	if o.swappedLine {
		k := keys.taxpayers[len(keys.taxpayers)-1]
		if err := k.WriteP12(filepath.Join(keyDir, "swapped.p12"), pw); err != nil {
			t.Fatal(err)
		}
		passwords = append(passwords, pw+" swapped.p12\n"...)
	}
	transportFile := filepath.Join(dir, "transport.p12")
	keys.transport.WriteP12(transportFile, "tpw")
	os.WriteFile(filepath.Join(keyDir, ncakey.PasswordsFile), passwords, 0o600)
	gwCert := filepath.Join(dir, "gateway.pem")
	os.WriteFile(gwCert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: keys.gateway.Certificate().Raw}), 0o600)

	gw := keys.gateway
	h.connect(dir, sonosim.Config{Gateway: gw.Signer(), Trust: []*x509.Certificate{keys.pki.Root()}, StatusStep: o.step, Seed: 7, Faults: o.faults, Weights: o.weights},
		app.Config{Keys: keyDir, TransportKey: transportFile, TransportPass: "tpw", GatewayCert: gwCert, HTTP: o.http, SenderPassword: o.senderPassword, Retention: o.retention,
			NoticeWatch: o.noticeWatch, NoticeEvery: o.noticeEvery})
	return h
}

// connect starts the sandbox over HTTP and an embedded nats-server, and
// opens the pipeline's runtime on them; cfg carries the keys.
func (h *harness) connect(dir string, simCfg sonosim.Config, cfg app.Config) {
	t := h.t
	if simCfg.StatusStep == 0 {
		simCfg.StatusStep = 40 * time.Millisecond
	}
	sim, err := sonosim.New(simCfg)
	if err != nil {
		t.Fatal(err)
	}
	h.sim = sim
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)

	emb, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: filepath.Join(dir, "nats"), Durability: broker.Durability{SyncAlways: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)

	cfg.NATS, cfg.Data, cfg.Gateway = emb.URL(), filepath.Join(dir, "data"), hs.URL+"/bip-sync-wss-gost/"
	cfg.SenderID = "salyq-test"
	if cfg.SenderPassword == "" {
		cfg.SenderPassword = "gateway-secret"
	}
	cfg.Concurrency, cfg.MaxInFlight, cfg.Timeout = 16, 32, 5*time.Second
	cfg.Grace, cfg.MaxElapsed, cfg.DupWindow = 300*time.Millisecond, 2*time.Minute, time.Hour
	if h.o.dupWindow > 0 {
		cfg.DupWindow = h.o.dupWindow
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if h.o.log != nil {
		log = slog.New(slog.NewJSONHandler(h.o.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	} else if testing.Verbose() && os.Getenv("SALYQ_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	rt, err := app.Open(context.Background(), cfg, log, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	if err := rt.OpenGateway(context.Background()); err != nil {
		t.Fatal(err)
	}
	rt.DeliveryPolicy.InitialInterval = 50 * time.Millisecond
	rt.DeliveryPolicy.MaxInterval = time.Second
	rt.DeliveryPolicy.ThrottleDelay = 100 * time.Millisecond
	rt.DeliveryPolicy.MaintenanceDelay = 200 * time.Millisecond
	rt.PollBackoff = statusfsm.Backoff{Min: 50 * time.Millisecond, Max: 500 * time.Millisecond, Factor: 1.5}
	h.rt = rt
}

// start runs worker and poller (the intake is called directly).
func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- app.Serve(ctx, h.rt, app.Parts{Worker: true, Poller: true}) }()
	h.t.Cleanup(func() { h.halt() })
}

// halt stops worker and poller gracefully and waits for them.
func (h *harness) halt() {
	if h.stop == nil {
		return
	}
	h.stop()
	h.stop = nil
	if err := <-h.done; err != nil {
		h.t.Errorf("serve: %v", err)
	}
}

// waitFinal polls the board until every id is in a terminal state.
func (h *harness) waitFinal(ids []string, timeout time.Duration) map[string]board.View {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		views := map[string]board.View{}
		var open []string
		for _, id := range ids {
			v, err := h.rt.Board.Get(context.Background(), id)
			if err == nil && v.Terminal {
				views[id] = v
			} else {
				open = append(open, fmt.Sprintf("%s %q %s %v", id, v.Status, v.Reason, err))
			}
		}
		if len(open) == 0 {
			return views
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%d of %d forms not final after %s:\n%s\nsandbox stats %+v", len(open), len(ids), timeout, strings.Join(open[:min(len(open), 10)], "\n"), h.sim.Stats())
		}
		time.Sleep(100 * time.Millisecond) // polling a condition, with a deadline
	}
}

// api serves the intake API as a producer does (the service's limits and
// probes around the intake's handler) on a loopback port, and returns a
// pkg/client for it whose every request and answer is validated against
// openapi.json (h.validator).
func (h *harness) api() *client.Client {
	t := h.t
	t.Helper()
	if h.client != nil {
		return h.client
	}
	in, err := h.rt.NewIntake()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httplimit.Defaults().WithBody(httplimit.Size(in.MaxFormSize())).Server(app.NewHealth(h.rt).Wrap(in.Handler()))
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	base := "http://" + ln.Addr().String()
	h.validator = newAPIValidator(t, base, func(err error) { t.Error(err) })
	h.validator.base = base
	c, err := client.New(base, client.WithHTTPClient(&http.Client{Transport: h.validator, Timeout: 30 * time.Second}),
		client.WithPolling(client.Backoff{Min: 50 * time.Millisecond, Max: 500 * time.Millisecond, Factor: 1.5}))
	if err != nil {
		t.Fatal(err)
	}
	h.client = c
	return c
}

// validatorBase is the URL of the API that api() serves.
func (h *harness) validatorBase() string { return h.validator.base }
