package metrics_test

import (
	"context"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/metrics"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/envelope"
)

func serve(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	hs := httptest.NewServer(m.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

// TestKeyExpiry: the gauge is the days to each certificate's NotAfter,
// negative once expired, and counts down between scrapes.
func TestKeyExpiry(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	var offset atomic.Int64
	clock := func() time.Time { return now.Add(time.Duration(offset.Load())) }
	m := metrics.New()
	err := m.WatchKeys([]metrics.KeyExpiry{
		{Taxpayer: "900101300015", File: "a.p12", NotAfter: now.Add(45 * 24 * time.Hour)},
		{Taxpayer: "900101300015", File: "b.p12", NotAfter: now.Add(-36 * time.Hour)},
		{Taxpayer: "120340004567", File: "c.p12", NotAfter: now.Add(400 * 24 * time.Hour)},
	}, clock)
	if err != nil {
		t.Fatal(err)
	}
	url := serve(t, m)
	got := testkit.Scrape(t, url)
	for _, c := range []struct {
		file string
		want float64
	}{{"a.p12", 45}, {"b.p12", -1.5}, {"c.p12", 400}} {
		if v := got.Get(t, "salyq_key_expiry_days", "file", c.file); v != c.want {
			t.Errorf("%s: %v days, want %v", c.file, v, c.want)
		}
	}
	if v := got.Get(t, "salyq_key_expiry_days", "taxpayer", "120340004567"); v != 400 {
		t.Errorf("by taxpayer: %v", v)
	}
	offset.Store(int64(10 * 24 * time.Hour))
	if v := testkit.Scrape(t, url).Get(t, "salyq_key_expiry_days", "file", "a.p12"); v != 35 {
		t.Errorf("ten days later: %v days, want 35", v)
	}
}

// TestConsumerLag: pending and ack-pending come from JetStream's consumer
// info at scrape time; a consumer that cannot be read is left out, and a
// scrape while NATS is down answers within the timeout.
func TestConsumerLag(t *testing.T) {
	ctx := context.Background()
	emb := testkit.NATS(t)
	nc, js, err := broker.Connect(emb.URL(), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	if _, err := streams.Provision(ctx, js, streams.Config{DuplicateWindow: time.Hour}); err != nil {
		t.Fatal(err)
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, streams.Submissions, jetstream.ConsumerConfig{
		Durable: streams.ConsumerWorker, AckPolicy: jetstream.AckExplicitPolicy, AckWait: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := js.Publish(ctx, streams.SubmitSubject("900101300015"), []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	batch, err := cons.Fetch(2)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range batch.Messages() {
		n++ // taken, not acknowledged
	}
	if n != 2 {
		t.Fatalf("fetched %d", n)
	}

	m := metrics.New()
	const timeout = 500 * time.Millisecond
	if err := m.WatchConsumers(js, timeout,
		metrics.Consumer{Stream: streams.Submissions, Name: streams.ConsumerWorker},
		metrics.Consumer{Stream: streams.Status, Name: "no-such-consumer"}); err != nil {
		t.Fatal(err)
	}
	if err := m.WatchNATS(nc); err != nil {
		t.Fatal(err)
	}
	url := serve(t, m)
	// JetStream updates a consumer's pending count after the delivery,
	// not with it: a scrape right after the fetch has read 0 (CI, once).
	// Scraped until it settles, with a deadline.
	var got testkit.Metrics
	deadline := time.Now().Add(10 * time.Second)
	for {
		got = testkit.Scrape(t, url)
		pending, _ := got.Value("salyq_consumer_pending", "stream", streams.Submissions)
		ackPending, _ := got.Value("salyq_consumer_ack_pending", "stream", streams.Submissions)
		if pending == 3 && ackPending == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pending %v and ack pending %v, want 3 and 2", pending, ackPending)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, with a deadline
	}
	if _, ok := got.Value("salyq_consumer_pending", "stream", streams.Status); ok {
		t.Errorf("a consumer that does not exist is reported")
	}
	if v := got.Get(t, "salyq_nats_connected"); v != 1 {
		t.Errorf("nats connected %v", v)
	}

	emb.Shutdown()
	// The client notices the closed connection on its own time.
	deadline = time.Now().Add(10 * time.Second)
	for nc.Status() == nats.CONNECTED {
		if time.Now().After(deadline) {
			t.Fatal("the client did not notice the server stopping")
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, with a deadline
	}
	start := time.Now()
	got = testkit.Scrape(t, url)
	if d := time.Since(start); d > timeout+2*time.Second {
		t.Errorf("scrape with NATS down took %s", d)
	}
	if _, ok := got.Value("salyq_consumer_pending"); ok {
		t.Errorf("lag reported with NATS down: %v", got["salyq_consumer_pending"])
	}
	if v := got.Get(t, "salyq_nats_connected"); v != 0 {
		t.Errorf("nats connected %v with the server down", v)
	}
}

// TestHooks: each hook feeds its series, under Prometheus names, and a
// nil *Metrics takes every call.
func TestHooks(t *testing.T) {
	var none *metrics.Metrics
	none.FormReceived()
	none.FormRefused("size")
	none.GatewayRequest("SONO_FNO_SEND", "success", time.Second)
	none.SendStarted()
	none.SendEnded()
	none.Settled("worker", "ack")
	none.DeadLettered("worker", "poison")
	none.Transition("sent")
	none.Notice("refusal")
	none.Polled(time.Second)
	none.PollerActive(true)

	m := metrics.New()
	m.FormReceived()
	m.FormReceived()
	m.FormRefused("size")
	m.GatewayRequest("SONO_FNO_SEND", "success", 20*time.Millisecond)
	m.GatewayRequest("SONO_FNO_SEND", "throttled", time.Millisecond)
	m.GatewayRequest("SONO_FNO_GET_STATUS", "success", time.Millisecond)
	m.SendStarted()
	m.SendStarted()
	m.SendEnded()
	m.Settled("worker", "ack")
	m.DeadLettered("poller", "poison")
	m.Transition("sent")
	m.Notice(envelope.NoticeDeskAudit)
	m.Notice("предписание")
	m.Notice("something else")
	m.Polled(time.Millisecond)
	m.PollerActive(true)
	got := testkit.Scrape(t, serve(t, m))
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"salyq_forms_received_total", nil, 2},
		{"salyq_forms_refused_total", []string{"reason", "size"}, 1},
		{"salyq_gateway_requests_total", []string{"method", "SONO_FNO_SEND"}, 2},
		{"salyq_gateway_requests_total", []string{"method", "SONO_FNO_SEND", "class", "throttled"}, 1},
		{"salyq_gateway_request_duration_seconds", []string{"method", "SONO_FNO_SEND"}, 2},
		{"salyq_sends_in_flight", nil, 1},
		{"salyq_deliveries_total", []string{"consumer", "worker", "verdict", "ack"}, 1},
		{"salyq_dead_letters_total", []string{"consumer", "poller", "reason", "poison"}, 1},
		{"salyq_status_transitions_total", []string{"status", "sent"}, 1},
		{"salyq_notices_total", []string{"type", "desk-audit"}, 1},
		{"salyq_notices_total", []string{"type", "other"}, 2},
		{"salyq_poll_duration_seconds", nil, 1},
		{"salyq_poller_active", nil, 1},
	} {
		if v := got.Get(t, c.name, c.labels...); v != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, v, c.want)
		}
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := got[name]; !ok {
			t.Errorf("no %s: Go and process collectors missing", name)
		}
	}
}

// TestReady: salyq_ready follows the readiness function at every scrape.
func TestReady(t *testing.T) {
	var ready atomic.Bool
	m := metrics.New()
	if err := m.WatchReady(ready.Load); err != nil {
		t.Fatal(err)
	}
	url := serve(t, m)
	if v := testkit.Scrape(t, url).Get(t, "salyq_ready"); v != 0 {
		t.Errorf("not ready: salyq_ready %v", v)
	}
	ready.Store(true)
	if v := testkit.Scrape(t, url).Get(t, "salyq_ready"); v != 1 {
		t.Errorf("ready: salyq_ready %v", v)
	}
}

// TestPlannedBreak: salyq_planned_break follows the break schedule at
// every scrape.
func TestPlannedBreak(t *testing.T) {
	var in atomic.Bool
	m := metrics.New()
	if err := m.WatchBreak(in.Load); err != nil {
		t.Fatal(err)
	}
	url := serve(t, m)
	if v := testkit.Scrape(t, url).Get(t, "salyq_planned_break"); v != 0 {
		t.Errorf("outside a break: %v", v)
	}
	in.Store(true)
	if v := testkit.Scrape(t, url).Get(t, "salyq_planned_break"); v != 1 {
		t.Errorf("in a break: %v", v)
	}
}
