package test

import (
	"context"
	"encoding/json"
	"flag"
	"iter"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/statusfsm"
)

var quarterForms = flag.Int("quarter-forms", 100000, "forms of BenchmarkQuarterEnd")

// BenchmarkQuarterEnd is the quarter-end run: it queues -quarter-forms
// new forms through the batch intake with worker and poller stopped (an
// accounting firm's upload), then starts them and follows every form
// through the sandbox to its final status. It reports each stage's
// elapsed time and forms/s, salyq's CPU per form, the JetStream server's
// fsyncs per form (SALYQ_BENCH_EXTERNAL_NATS=1, with strace installed)
// and the peak RSS. Run with -benchtime 1x.
func BenchmarkQuarterEnd(b *testing.B) {
	e := newBenchEnv(b, 0, 32)
	n := *quarterForms
	for range b.N {
		final := e.followFinal(b)
		var fsyncs fsyncCounts
		if e.fsyncs != nil {
			fsyncs = e.fsyncs.count(b)
		}
		cpu, start := cpuTime(b), time.Now()
		filedBefore := e.filings(b)

		e.queue(b, n)
		queued := time.Since(start)
		b.Logf("quarter-end: %d forms queued in %s", n, queued.Round(time.Millisecond))

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- app.Serve(ctx, e.rt, app.Parts{Worker: true, Poller: true}) }()
		deliver := time.Now()
		var filed time.Duration
		deadline := deliver.Add(6 * time.Hour)
		for final.count() < n {
			if filed == 0 && e.filings(b)-filedBefore >= int64(n) {
				filed = time.Since(deliver)
				b.Logf("quarter-end: all filed %s after the start of delivery", filed.Round(time.Millisecond))
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d forms final after %s", final.count(), n, time.Since(deliver))
			}
			time.Sleep(time.Second) // polling a condition, with a deadline
		}
		finished := time.Since(deliver)
		cancel()
		<-done
		if filed == 0 {
			filed = finished
		}
		total := time.Since(start)

		b.ReportMetric(float64(n)/queued.Seconds(), "queued-forms/s")
		b.ReportMetric(float64(n)/filed.Seconds(), "filed-forms/s")
		b.ReportMetric(float64(n)/finished.Seconds(), "final-forms/s")
		b.ReportMetric(queued.Seconds(), "queue-s")
		b.ReportMetric(filed.Seconds(), "file-s")
		b.ReportMetric(total.Seconds(), "total-s")
		b.ReportMetric(float64(cpuTime(b)-cpu)/float64(n)/1e6, "cpu-ms/form")
		if e.fsyncs != nil {
			after := e.fsyncs.count(b)
			b.ReportMetric(float64(after.total()-fsyncs.total())/float64(n), "fsyncs/form")
			b.Logf("fsyncs per form: %s", perForm(fsyncs, after, n))
		}
		b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
	}
}

// queue submits n new forms through the batch intake, made as they go.
func (e *benchEnv) queue(b *testing.B, n int) {
	in, err := e.rt.NewIntake()
	if err != nil {
		b.Fatal(err)
	}
	first := e.take(n)
	forms := iter.Seq[intake.Item](func(yield func(intake.Item) bool) {
		for i := range n {
			if !yield(intake.Item{Name: strconv.Itoa(i), Data: app.SampleForm(e.taxpayers, first+i)}) {
				return
			}
		}
	})
	refused := 0
	err = in.SubmitBatch(context.Background(), forms, func(r intake.ItemResult) {
		if r.Err != nil {
			refused++
			if refused <= 3 {
				b.Errorf("form %s refused: %v", r.Name, r.Err)
			}
		}
	})
	if err != nil || refused > 0 {
		b.Fatalf("queueing: %v, %d refused", err, refused)
	}
}

// finalSet counts the submissions whose status event on SALYQ_STATUS was
// a final one.
type finalSet struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (f *finalSet) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.ids)
}

// followFinal follows SALYQ_STATUS from its end with an ordered consumer
// and counts the forms that reach a final status from now on.
func (e *benchEnv) followFinal(b *testing.B) *finalSet {
	table := statusfsm.DefaultTable()
	c, err := e.rt.JS.OrderedConsumer(context.Background(), streams.Status, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverNewPolicy})
	if err != nil {
		b.Fatal(err)
	}
	f := &finalSet{ids: map[string]bool{}}
	cc, err := c.Consume(func(m jetstream.Msg) {
		var ev board.Event
		if json.Unmarshal(m.Data(), &ev) == nil && ev.Kind == "" && table.Terminal(ev.To) {
			f.mu.Lock()
			f.ids[ev.ID] = true
			f.mu.Unlock()
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(cc.Stop)
	return f
}
