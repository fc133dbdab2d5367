package test

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
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
	rt        *app.Runtime
	simURL    string
	taxpayers []string
	next      int         // index of the next sample form: every form is new
	fsyncs    *fsyncTrace // the external nats-server's fsyncs; nil: not counted
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

	natsURL, fsyncs := startNATS(b, dir)
	cfg := app.Config{
		NATS: natsURL, Data: filepath.Join(dir, "data"), Gateway: url + "bip-sync-wss-gost/",
		Keys: pki.KeystoreDir, TransportKey: pki.TransportKeyFile, GatewayCert: pki.GatewayCertFile,
		SenderID: "salyq-bench", Concurrency: inFlight, MaxInFlight: 2 * inFlight, Timeout: 10 * time.Second,
		Grace: time.Second, MaxElapsed: time.Hour, DupWindow: time.Hour,
	}
	rt, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(rt.Close)
	if err := rt.OpenGateway(context.Background()); err != nil {
		b.Fatal(err)
	}
	// Production polling (first poll 5 s after filing): the batch is
	// measured to its filing, and polls of the same forms would compete.
	rt.PollBackoff = statusfsm.Backoff{}
	e := &benchEnv{rt: rt, simURL: url, fsyncs: fsyncs}
	for _, k := range rt.Keys.Entries() {
		if _, err := rt.Keys.ForTaxpayer(k.Key.Identity().TaxpayerID(), time.Now()); err == nil {
			e.taxpayers = append(e.taxpayers, k.Key.Identity().TaxpayerID())
		}
	}
	// Additional filings only (past the regular ones), each with other
	// amounts: SONO takes any number, so every form of every run is new.
	e.next = 7 * len(e.taxpayers)
	return e
}

// take reserves n new sample forms and returns the index of the first.
func (e *benchEnv) take(n int) int {
	first := e.next
	e.next += n
	return first
}

// startNATS starts JetStream with fsync on every write: embedded, as
// `salyq run` does, or — with SALYQ_BENCH_EXTERNAL_NATS=1 — as a
// nats-server process of its own, so that the measured RSS and CPU are
// salyq's alone, under strace when it is installed, counting its fsyncs.
// SALYQ_BENCH_SYNC overrides the sync setting.
func startNATS(b *testing.B, dir string) (string, *fsyncTrace) {
	dur := broker.Durability{SyncAlways: true}
	if v := os.Getenv("SALYQ_BENCH_SYNC"); v != "" {
		dur, _ = broker.ParseDurability(v)
	}
	if os.Getenv("SALYQ_BENCH_EXTERNAL_NATS") == "" {
		// The soft memory limit `salyq run` sets with JetStream embedded.
		if err := app.ApplyMemoryLimit(app.Config{MemoryLimit: "auto"}, true, slog.New(slog.DiscardHandler)); err != nil {
			b.Fatal(err)
		}
		emb, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: filepath.Join(dir, "nats"), Durability: dur})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(emb.Shutdown)
		return emb.URL(), nil
	}
	bin := filepath.Join(dir, "nats-server")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/nats-io/nats-server/v2").CombinedOutput(); err != nil {
		b.Fatalf("building nats-server: %v\n%s", err, out)
	}
	conf := filepath.Join(dir, "nats.conf")
	sync := "always"
	if !dur.SyncAlways {
		sync = dur.SyncInterval.String()
	}
	pidFile := filepath.Join(dir, "nats.pid")
	port := freePort(b)
	os.WriteFile(conf, []byte(fmt.Sprintf("listen: 127.0.0.1:%d\nmax_payload: 8MB\npid_file: %q\njetstream { store_dir: %q\n sync_interval: %s }\n", port, pidFile, filepath.Join(dir, "nats"), sync)), 0o600)
	argv, fsyncs := traced(dir, []string{bin, "-c", conf})
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		// The server itself, not strace: killing strace would leave its
		// tracee running.
		if pid, err := os.ReadFile(pidFile); err == nil {
			if n, err := strconv.Atoi(strings.TrimSpace(string(pid))); err == nil {
				syscall.Kill(n, syscall.SIGKILL)
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
	})
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if nc, err := nats.Connect(url); err == nil {
			nc.Close()
			return url, fsyncs
		}
		if time.Now().After(deadline) {
			b.Fatal("nats-server did not start")
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, with a deadline
	}
}

// freePort is a TCP port free a moment ago: a fixed one would let two
// benchmarks on one machine share (and kill) each other's nats-server.
func freePort(b *testing.B) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (e *benchEnv) stats(b *testing.B) sonosim.Stats {
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
	return st
}

func (e *benchEnv) filings(b *testing.B) int64 { return e.stats(b).FilingsAccepted }

// submit runs the intake over n new forms on every core, making each
// form as it goes: a batch is never held in memory.
func (e *benchEnv) submit(b *testing.B, n int) {
	in, err := e.rt.NewIntake()
	if err != nil {
		b.Fatal(err)
	}
	first := e.take(n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				if _, err := in.Submit(context.Background(), app.SampleForm(e.taxpayers, first+int(i))); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// signOnly measures the taxpayer signing rate alone, on every core.
func (e *benchEnv) signOnly(b *testing.B, n int) float64 {
	first := e.take(n)
	forms := make([][]byte, n)
	for i := range forms {
		forms[i] = app.SampleForm(e.taxpayers, first+i)
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
				key, err := e.rt.Keys.ForTaxpayer(f.Taxpayer, time.Now())
				if err != nil {
					b.Error(err)
					return
				}
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

// batchCost is what a batch cost: the rate at which SONO took it, and per
// filed form the signatures and verifications salyq made, salyq's CPU
// time and the JetStream server's fsyncs (-1: not counted).
type batchCost struct {
	rate            float64
	signs, verifies float64
	cpu             time.Duration
	fsyncs          float64
}

// runBatch submits n new forms with worker and poller running and returns
// what the batch cost (submission of the first to filing of the last).
func (e *benchEnv) runBatch(b *testing.B, n int) batchCost {
	before, appended := e.stats(b), e.appended(b)
	var fsyncs fsyncCounts
	if e.fsyncs != nil {
		fsyncs = e.fsyncs.count(b)
	}
	stop := startCPUProfile(b)
	cpu := cpuTime(b)
	c := batchCost{rate: e.run(b, func() { e.submit(b, n) }, n), fsyncs: -1}
	c.cpu = (cpuTime(b) - cpu) / time.Duration(n)
	stop()
	if e.fsyncs != nil {
		after := e.fsyncs.count(b)
		c.fsyncs = float64(after.total()-fsyncs.total()) / float64(n)
		b.Logf("fsyncs per form: %s", perForm(fsyncs, after, n))
	}
	b.Logf("messages appended per form: %s", perForm(appended, e.appended(b), n))
	signs, verifies := cryptoOps(before, e.stats(b), n)
	c.signs, c.verifies = float64(signs)/float64(n), float64(verifies)/float64(n)
	return c
}

// run starts worker and poller, calls during, and waits until SONO has
// filed n more forms than before.
func (e *benchEnv) run(b *testing.B, during func(), n int) float64 {
	before := e.filings(b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, e.rt, app.Parts{Worker: true, Poller: true}) }()
	defer func() { cancel(); <-done }()
	start := time.Now()
	during()
	want := before + int64(n)
	deadline := time.Now().Add(60 * time.Minute)
	for e.filings(b) < want {
		if time.Now().After(deadline) {
			b.Fatal("batch not filed in time")
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, with a deadline
	}
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkPipeline reports end-to-end forms/s (intake, JetStream with
// fsync on every write, worker, sandbox) next to the signing-only rate of
// the same run, and, at 200 ms gateway latency, next to in-flight cap ÷
// latency. Run with -benchtime 1x.
func BenchmarkPipeline(b *testing.B) {
	b.Run("latency=0", func(b *testing.B) {
		e := newBenchEnv(b, 0, 32)
		for range b.N {
			sign := e.signOnly(b, *benchBatch/2)
			signCPU, verifyCPU := e.cryptoCost(b, 200)
			c := e.runBatch(b, *benchBatch)
			sigs := c.signs + c.verifies
			b.ReportMetric(c.rate, "forms/s")
			b.ReportMetric(sign, "sign-only-forms/s")
			b.ReportMetric(100*c.rate/sign, "%-of-signing")
			// Every signature costs about one signing-only form: a filing
			// can go no faster than sign-only ÷ signatures per form.
			b.ReportMetric(sigs, "signatures/form")
			b.ReportMetric(100*c.rate/(sign/sigs), "%-of-signature-bound")
			// salyq's own CPU per filed form against the CPU of the
			// signatures and verifications it had to make for it,
			// measured on one goroutine in the same run.
			crypto := time.Duration(c.signs*float64(signCPU) + c.verifies*float64(verifyCPU))
			b.ReportMetric(float64(c.cpu)/1e6, "cpu-ms/form")
			b.ReportMetric(float64(crypto)/1e6, "crypto-ms/form")
			b.ReportMetric(float64(c.cpu)/float64(crypto), "cpu-x-crypto")
			if c.fsyncs >= 0 {
				b.ReportMetric(c.fsyncs, "fsyncs/form")
			}
			b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
		}
	})
	b.Run("latency=200ms", func(b *testing.B) {
		e := newBenchEnv(b, 200*time.Millisecond, *benchInFlght)
		for range b.N {
			c := e.runBatch(b, *benchBatch/2)
			ideal := float64(*benchInFlght) / 0.2
			b.ReportMetric(c.rate, "forms/s")
			b.ReportMetric(ideal, "cap/latency-forms/s")
			b.ReportMetric(100*c.rate/ideal, "%-of-ideal")
		}
	})
}

// BenchmarkQueuedRSS queues each size of -queued with the worker stopped,
// then drains it, and reports the peak memory of the process: VmHWM (all
// resident pages, including bbolt's and JetStream's file-backed pages,
// which the kernel reclaims at will) and the peak anonymous RSS sampled
// every 50 ms (heap and stacks: what would grow if salyq held forms in
// memory). Run each size in its own process: VmHWM is per process.
func BenchmarkQueuedRSS(b *testing.B) {
	for _, s := range strings.Split(*benchQueued, ",") {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("queued=%d", n), func(b *testing.B) {
			e := newBenchEnv(b, 0, 32)
			for range b.N {
				anon := sampleAnonRSS()
				e.submit(b, n) // queued with the worker stopped
				if p := os.Getenv("SALYQ_BENCH_HEAPPROFILE_QUEUED"); p != "" {
					writeHeapProfile(b, p)
				}
				e.run(b, func() {}, n)
				if p := os.Getenv("SALYQ_BENCH_HEAPPROFILE"); p != "" {
					writeHeapProfile(b, p)
				}
				b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
				b.ReportMetric(anon(), "peak-anon-RSS-MB")
			}
		})
	}
}

// sampleAnonRSS samples RssAnon until the returned function is called,
// which returns the highest value seen, in MB.
func sampleAnonRSS() func() float64 {
	var peak atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := procStatusKB("RssAnon:"); kb > peak.Load() {
				peak.Store(kb)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(stop)
		<-done
		return float64(peak.Load()) / 1024
	}
}

// peakRSSMB reads the process's peak resident set (VmHWM).
func peakRSSMB() float64 { return float64(procStatusKB("VmHWM:")) / 1024 }

// procStatusKB reads one kB field of /proc/self/status.
func procStatusKB(field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field) {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb
		}
	}
	return 0
}

// startCPUProfile profiles salyq's CPU during a batch alone (not the
// signing-only and crypto-cost runs) into SALYQ_BENCH_CPUPROFILE when it
// is set, and returns the function that stops it.
func startCPUProfile(b *testing.B) func() {
	path := os.Getenv("SALYQ_BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// writeHeapProfile writes the live heap to path (SALYQ_BENCH_HEAPPROFILE),
// to see what memory a queue size leaves behind.
func writeHeapProfile(b *testing.B, path string) {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}
