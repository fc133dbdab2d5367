package test

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
)

var (
	benchBatch   = flag.Int("batch", 1000, "forms per BenchmarkPipeline run")
	benchQueued  = flag.String("queued", "10000,100000", "queue sizes of BenchmarkQueuedRSS")
	benchInFlght = flag.Int("inflight", 8, "in-flight cap of the 200 ms latency benchmark")
)

// benchEnv is the pipeline of `salyq run` with the sandbox in a process of
// its own, so that the sandbox's memory (it keeps every filing) does not
// count in salyq's RSS.
type benchEnv struct {
	rt      *app.Runtime
	simURL  string
	forms   func(n int) [][]byte
	signers int
}

func newBenchEnv(b *testing.B, latency time.Duration, inFlight int) *benchEnv {
	b.Helper()
	dir := b.TempDir()
	bin := filepath.Join(dir, "sono-sim")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/sono-sim").CombinedOutput(); err != nil {
		b.Fatalf("building sono-sim: %v\n%s", err, out)
	}
	pki, err := sonosim.OpenPKI(filepath.Join(dir, "pki"), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "--pki", pki.Dir, "--addr", "127.0.0.1:0", "--handoff-delay", "0",
		"--status-step", "100ms", "--seed", "1", "--latency", latency.String())
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := regexp.MustCompile(`listening on (http://[^ /]+/)`)
	sc := bufio.NewScanner(stdout)
	var url string
	for sc.Scan() {
		if m := addr.FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
			break
		}
	}
	if url == "" {
		b.Fatal("sono-sim did not start")
	}
	go io.Copy(io.Discard, stdout)

	dur := broker.Durability{SyncAlways: true}
	if os.Getenv("SALYQ_BENCH_SYNC") != "" {
		dur, _ = broker.ParseDurability(os.Getenv("SALYQ_BENCH_SYNC"))
	}
	emb, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: filepath.Join(dir, "nats"), Durability: dur})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(emb.Shutdown)
	cfg := app.Config{
		NATS: emb.URL(), Data: filepath.Join(dir, "data"), Gateway: url + "bip-sync-wss-gost/",
		Keys: pki.KeystoreDir, TransportKey: pki.TransportKeyFile, GatewayCert: pki.GatewayCertFile,
		SenderID: "salyq-bench", Concurrency: inFlight, MaxInFlight: 2 * inFlight, Timeout: 10 * time.Second,
		Grace: time.Second, MaxElapsed: time.Hour, DupWindow: time.Hour,
	}
	rt, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(rt.Close)
	if err := rt.OpenGateway(context.Background(), sonosim.Config{}); err != nil {
		b.Fatal(err)
	}
	// Production polling (first poll 5 s after filing): the batch is
	// measured to its filing, and polls of the same forms would compete.
	rt.PollBackoff = statusfsm.Backoff{}
	var taxpayers []string
	for _, e := range rt.Keys.Entries() {
		if _, err := rt.Keys.ForTaxpayer(e.Key.Identity().TaxpayerID(), time.Now()); err == nil {
			taxpayers = append(taxpayers, e.Key.Identity().TaxpayerID())
		}
	}
	seq := 0
	return &benchEnv{rt: rt, simURL: url, forms: func(n int) [][]byte {
		// Additional filings only, each with other amounts: SONO takes any
		// number of them, so every form of every run is a new filing.
		out := app.SampleForms(taxpayers[:1], n+seq+1)[seq+1:]
		seq += n
		return out
	}}
}

func (e *benchEnv) filings(b *testing.B) int64 {
	resp, err := http.Get(e.simURL + "_sim/stats")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var st sonosim.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		b.Fatal(err)
	}
	if st.DuplicateFilings != 0 {
		b.Fatalf("sandbox saw %d duplicate filings", st.DuplicateFilings)
	}
	return st.FilingsAccepted
}

// submit runs the intake over forms on every core.
func (e *benchEnv) submit(b *testing.B, forms [][]byte) {
	in, err := e.rt.NewIntake()
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(forms)); i = next.Add(1) - 1 {
				if _, err := in.Submit(context.Background(), forms[i]); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// signOnly measures the taxpayer signing rate alone, on every core.
func (e *benchEnv) signOnly(b *testing.B, forms [][]byte) float64 {
	key, err := e.rt.Keys.ForTaxpayer(mustParse(b, forms[0]).Taxpayer, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(forms)); i = next.Add(1) - 1 {
				f := mustParse(b, forms[i])
				if _, err := envelope.SignForm(context.Background(), f, key.Signer(), envelope.SignOptions{Now: time.Now()}); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	return float64(len(forms)) / time.Since(start).Seconds()
}

func mustParse(b *testing.B, data []byte) *envelope.Form {
	f, err := envelope.ParseForm(data, envelope.FormOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// runBatch submits forms with worker and poller running and returns the
// rate at which SONO took them (submission of the first to filing of the
// last).
func (e *benchEnv) runBatch(b *testing.B, forms [][]byte) float64 {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, e.rt, app.Parts{Worker: true, Poller: true}) }()
	defer func() { cancel(); <-done }()
	before := e.filings(b)
	start := time.Now()
	e.submit(b, forms)
	want := before + int64(len(forms))
	deadline := time.Now().Add(30 * time.Minute)
	for e.filings(b) < want {
		if time.Now().After(deadline) {
			b.Fatal("batch not filed in time")
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, with a deadline
	}
	return float64(len(forms)) / time.Since(start).Seconds()
}

// BenchmarkPipeline reports end-to-end forms/s (intake, JetStream with
// fsync on every write, worker, sandbox) next to the signing-only rate of
// the same run, and, at 200 ms gateway latency, next to in-flight cap ÷
// latency. Run with -benchtime 1x.
func BenchmarkPipeline(b *testing.B) {
	b.Run("latency=0", func(b *testing.B) {
		e := newBenchEnv(b, 0, 32)
		for range b.N {
			sign := e.signOnly(b, e.forms(*benchBatch/2))
			rate := e.runBatch(b, e.forms(*benchBatch))
			b.ReportMetric(rate, "forms/s")
			b.ReportMetric(sign, "sign-only-forms/s")
			b.ReportMetric(100*rate/sign, "%-of-signing")
			b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
		}
	})
	b.Run("latency=200ms", func(b *testing.B) {
		e := newBenchEnv(b, 200*time.Millisecond, *benchInFlght)
		for range b.N {
			rate := e.runBatch(b, e.forms(*benchBatch/2))
			ideal := float64(*benchInFlght) / 0.2
			b.ReportMetric(rate, "forms/s")
			b.ReportMetric(ideal, "cap/latency-forms/s")
			b.ReportMetric(100*rate/ideal, "%-of-ideal")
		}
	})
}

// BenchmarkQueuedRSS queues each size of -queued with the worker stopped,
// then drains it, and reports the peak RSS after each: it must not grow
// with the queue. Each size runs in a fresh process (go test -run '^$'
// -bench QueuedRSS/queued=N): peak RSS is per process.
func BenchmarkQueuedRSS(b *testing.B) {
	for _, s := range strings.Split(*benchQueued, ",") {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("queued=%d", n), func(b *testing.B) {
			e := newBenchEnv(b, 0, 32)
			for range b.N {
				forms := e.forms(n)
				e.submit(b, forms)
				forms = nil
				rate := e.runBatch(b, nil)
				_ = rate
				b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
			}
		})
	}
}

// peakRSSMB reads the process's peak resident set (VmHWM).
func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}
