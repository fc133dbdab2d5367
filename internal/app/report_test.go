package app

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/availability"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/ids"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/metrics"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestReportAvailability: status polls through a real gateway client to
// the sandbox, which is out (HTTP 503) for a known minute, journaled as
// the poller journals them, under an injected clock; `salyq report
// availability` finds R equal to the outage within the spacing of the
// polls (10 s): an outage is seen from the first exchange it refuses to
// the first one after it, so each edge may be off by up to one spacing.
// Here the polls fall at the same offset on both edges, so R is exact.
// The same exchanges feed the availability gauge of the process.
func TestReportAvailability(t *testing.T) {
	ctx := context.Background()
	rt, natsURL := provisioned(t)

	// The journal reads records stored within minutes of their time: the
	// injected clock starts a little before now.
	t0 := time.Now().Add(-5 * time.Minute).Truncate(time.Second)
	now := t0
	clock := func() time.Time { return now }
	outFrom, outTo := t0.Add(65*time.Second), t0.Add(125*time.Second)
	k := testkit.MustKeys(t)
	sim, err := sonosim.New(sonosim.Config{Gateway: k.Gateway.Signer(), Trust: []*x509.Certificate{k.PKI.Root()}, StatusStep: time.Hour, Seed: 3, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !now.Before(outFrom) && now.Before(outTo) {
			http.Error(w, "service unavailable", http.StatusServiceUnavailable)
			return
		}
		sim.ServeHTTP(w, r)
	}))
	defer hs.Close()
	m := metrics.New()
	client := gateway.NewClient(gateway.Config{
		URL: hs.URL + "/bip-sync-wss-gost/", Timeout: 5 * time.Second,
		Codec:        &envelope.Codec{Signer: k.Transport.Signer(), NewID: ids.UUID, Clock: clock},
		Sender:       envelope.Sender{ID: "salyq-test", Password: "pw"},
		GatewayCerts: []*x509.Certificate{k.Gateway.Certificate()},
		Observer:     m,
	})
	w := journal.NewWriter(rt.JS, "pw")
	taxpayer := k.Taxpayer.Identity().IIN
	for i := range 30 {
		now = t0.Add(time.Duration(i) * 10 * time.Second)
		o := client.Status(ctx, envelope.StatusRequest{RequestID: "r-avail"}, k.Taxpayer.Signer())
		if err := w.Record(ctx, "sub-avail", taxpayer, "r-avail", o); err != nil {
			t.Fatal(err)
		}
	}

	var out, errs bytes.Buffer
	from, to := t0.Format(time.RFC3339), t0.Add(300*time.Second).Format(time.RFC3339)
	args := []string{"report", "availability", "--nats", natsURL, "--data", t.TempDir(), "--from", from, "--to", to}
	if err := Main(ctx, append(args, "--json"), IO{Out: &out, Err: &errs}); err != nil {
		t.Fatalf("%v: %s", err, errs.String())
	}
	var res []availability.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 {
		t.Fatalf("%d results, want the status service of one endpoint: %s", len(res), out.String())
	}
	r := res[0]
	outage := outTo.Sub(outFrom)
	if r.Service != envelope.ServiceStatus || !strings.HasPrefix(r.Endpoint, hs.URL) || r.T != 300*time.Second {
		t.Errorf("result for %s %s over %s", r.Endpoint, r.Service, r.T)
	}
	if r.R != outage {
		t.Errorf("R = %s, outage %s", r.R, outage)
	}
	if r.Index == nil || *r.Index != 80 || r.Exchanges != 30 || r.Failed != 6 {
		t.Errorf("index %v, %d exchanges, %d failed; want 80, 30, 6", r.Index, r.Exchanges, r.Failed)
	}
	if r.Longest == nil || !r.Longest.Start.Equal(t0.Add(70*time.Second)) || !r.Longest.End.Equal(t0.Add(130*time.Second)) {
		t.Errorf("longest outage %+v", r.Longest)
	}

	out.Reset()
	if err := Main(ctx, args, IO{Out: &out, Err: &errs}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SONO_FNO_GET_STATUS", "80.000 %", "1m0s", t0.Add(70 * time.Second).In(envelope.Almaty()).Format(time.RFC3339)} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestAvailabilityGauge: the process's own exchanges set
// salyq_gateway_availability_ratio through the gateway observer.
func TestAvailabilityGauge(t *testing.T) {
	k := testkit.MustKeys(t)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
	}))
	defer hs.Close()
	m := metrics.New()
	client := gateway.NewClient(gateway.Config{
		URL: hs.URL + "/", Timeout: 5 * time.Second, Observer: m,
		Codec:  &envelope.Codec{Signer: k.Transport.Signer(), NewID: ids.UUID},
		Sender: envelope.Sender{ID: "salyq-test", Password: "pw"},
	})
	client.Status(context.Background(), envelope.StatusRequest{RequestID: "r"}, k.Taxpayer.Signer())
	ms := httptest.NewServer(m.Handler())
	defer ms.Close()
	got := testkit.Scrape(t, ms.URL).Get(t, "salyq_gateway_availability_ratio", "service", envelope.ServiceStatus)
	if got != 0 {
		t.Errorf("ratio %v after one refused poll, want 0", got)
	}
}
