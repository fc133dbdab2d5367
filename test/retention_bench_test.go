package test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/filed"
	"github.com/salyq/salyq/internal/streams"
)

var (
	benchFinished  = flag.String("finished", "100000,1000000", "finished submissions per BenchmarkRetention run")
	benchRetention = flag.Duration("bench-retention", 5*time.Second, "retention of BenchmarkRetention")
)

// BenchmarkRetention writes finished (terminal, filed) records straight
// through board.Store, as the poller does at a form's last status, with a
// short retention, and reports the memory of the process — the embedded
// nats-server, the client and the benchmark, nothing else — as the Go
// heap live after a GC (heap-MB) and as RSS (RSS-MB), at the end of the
// writes, when only the last retention's records are alive
// (live-records). A run "no-retention" of each size keeps every record,
// for comparison. It then reads SALYQ_FILED into a filed.Index and
// reports what the guard costs per id: in the stream (filed-B/id) and in
// the index file (index-B/id), both on disk, and the heap once every
// record has expired (heap-expired-MB, the lowest of 15 s, JetStream's
// block caches gone) with the index open.
// JetStream syncs every second here (SALYQ_BENCH_SYNC overrides): the
// memory does not depend on it, and two million fsyncs would take an
// hour on this machine.
func BenchmarkRetention(b *testing.B) {
	sizes := strings.Split(*benchFinished, ",")
	for _, s := range sizes {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("finished=%d/no-retention", n), func(b *testing.B) { runRetention(b, n, 0) })
		b.Run(fmt.Sprintf("finished=%d", n), func(b *testing.B) { runRetention(b, n, *benchRetention) })
	}
}

func runRetention(b *testing.B, n int, retention time.Duration) {
	ctx := context.Background()
	for range b.N {
		dir := b.TempDir()
		dur := broker.Durability{SyncInterval: time.Second}
		if v := os.Getenv("SALYQ_BENCH_SYNC"); v != "" {
			dur, _ = broker.ParseDurability(v)
		}
		emb, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: filepath.Join(dir, "nats"), Durability: dur})
		if err != nil {
			b.Fatal(err)
		}
		nc, err := nats.Connect(emb.URL())
		if err != nil {
			b.Fatal(err)
		}
		js, err := jetstream.New(nc)
		if err != nil {
			b.Fatal(err)
		}
		set, err := streams.Provision(ctx, js, streams.Config{})
		if err != nil {
			b.Fatal(err)
		}
		bd := board.New(js, set, board.WithRetention(retention))
		start := time.Now()
		var next atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1) - 1
					if i >= int64(n) {
						return
					}
					id := fmt.Sprintf("%032x", i)
					v := board.View{ID: id, Taxpayer: fmt.Sprintf("%012d", 900000000000+i%50000), Form: "910.00",
						Period: "2026-H1", Kind: "regular", Status: "13", Terminal: true, Outcome: "accepted",
						RequestID: "req-" + id, Updated: start, Seq: 7, SonoAt: start}
					if _, err := bd.Store(ctx, id, board.Record{View: &v}, 0); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		heap := liveHeapMB()
		rss := float64(procStatusKB("VmRSS:")) / 1024
		st, err := js.Stream(ctx, "KV_"+streams.BucketState)
		if err != nil {
			b.Fatal(err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/took.Seconds(), "records/s")
		b.ReportMetric(heap, "heap-MB")
		b.ReportMetric(rss, "RSS-MB")
		b.ReportMetric(float64(info.State.Msgs), "live-records")
		if retention > 0 {
			filedIndex(b, js, set, n, filepath.Join(dir, "filed.db"))
		}
		nc.Close()
		emb.Shutdown()
	}
}

// filedIndex reads SALYQ_FILED into an index and reports what an id
// costs the guard.
func filedIndex(b *testing.B, js jetstream.JetStream, set *streams.Set, n int, path string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	info, err := set.Filed.Info(ctx)
	if err != nil {
		b.Fatal(err)
	}
	idx, err := filed.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		idx.Follow(ctx, js, slog.New(slog.DiscardHandler)) //nolint:errcheck // ends with ctx
	}()
	defer func() { cancel(); <-done }()
	start := time.Now()
	select {
	case <-idx.Ready():
	case <-time.After(30 * time.Minute):
		b.Fatal("filed-ids index did not catch up")
	}
	took := time.Since(start)
	if got, err := idx.Len(); err != nil || got != n {
		b.Fatalf("index holds %d ids (%v), want %d", got, err, n)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(info.State.Bytes)/float64(n), "filed-B/id")
	b.ReportMetric(float64(fi.Size())/float64(n), "index-B/id")
	b.ReportMetric(float64(n)/took.Seconds(), "index-ids/s")
	st, err := js.Stream(ctx, "KV_"+streams.BucketState)
	if err != nil {
		b.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		si, err := st.Info(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if si.State.Msgs == 0 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d records still live 5 minutes after the writes", si.State.Msgs)
		}
		time.Sleep(100 * time.Millisecond) // polling a condition, with a deadline
	}
	// JetStream reads the blocks of expiring records into caches that it
	// drops some seconds later: the lowest heap of the next 15 s is what
	// stays.
	low := liveHeapMB()
	for end := time.Now().Add(15 * time.Second); time.Now().Before(end); {
		time.Sleep(500 * time.Millisecond) // sampling, not synchronising
		low = min(low, liveHeapMB())
	}
	b.ReportMetric(low, "heap-expired-MB")
}

// liveHeapMB is the heap still referenced after a collection, in MB.
func liveHeapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}
