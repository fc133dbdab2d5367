package metrics

import (
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/salyq/salyq/internal/availability"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/journal"
)

// AvailabilityWindow is the sliding window of
// salyq_gateway_availability_ratio: the last hour, long enough to span a
// few retry backoffs, short enough to show an outage while it lasts.
const AvailabilityWindow = time.Hour

// availabilityWindow reckons the availability of each gateway service
// over the last window (or the time since the process's first exchange,
// if shorter) from this process's own exchanges, by the rules of package
// availability. It keeps only the exchanges that changed the
// finding (up after down, down after up) and the time of the latest, so a
// busy worker costs a handful of entries per outage, not one per request.
type availabilityWindow struct {
	now    func() time.Time
	window time.Duration
	desc   *prometheus.Desc

	mu       sync.Mutex
	services map[string]*serviceWindow
}

type serviceWindow struct {
	changes []availability.Sample
	// first and last are the times of the first and the latest exchange.
	first, last time.Time
}

func newAvailabilityWindow(now func() time.Time, window time.Duration) *availabilityWindow {
	return &availabilityWindow{now: now, window: window, services: map[string]*serviceWindow{},
		desc: prometheus.NewDesc("salyq_gateway_availability_ratio",
			"Share of the last hour the gateway service was available, by this process's own exchanges: 1 − R/T (seed 004 §7); absent without an exchange in the hour.",
			[]string{"service"}, nil)}
}

// add records an exchange of service at, which found it down or not.
func (w *availabilityWindow) add(service string, at time.Time, down bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.services[service]
	if s == nil {
		s = &serviceWindow{}
		w.services[service] = s
	}
	if s.first.IsZero() || at.Before(s.first) {
		s.first = at
	}
	if at.After(s.last) {
		s.last = at
	}
	if n := len(s.changes); n == 0 || s.changes[n-1].Down != down {
		s.changes = append(s.changes, availability.Sample{Service: service, At: at, Down: down})
	}
	// Forget what lies before the window, all but the latest change
	// there, which holds when the window starts.
	from := w.now().Add(-w.window)
	i := 0
	for i+1 < len(s.changes) && !s.changes[i+1].At.After(from) {
		i++
	}
	s.changes = s.changes[i:]
}

// ratio is the availability of service over the window ending now, and
// false without an exchange in it.
func (w *availabilityWindow) ratio(service string) (float64, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.services[service]
	to := w.now()
	from := to.Add(-w.window)
	if s == nil || s.last.Before(from) {
		return 0, false
	}
	// A process up for less than the window knows only the time since
	// its first exchange: the ratio is of that time.
	if s.first.After(from) {
		from = s.first
	}
	// The latest exchange stands for the ones between changes: it makes
	// the window known even when the last change is older.
	samples := append([]availability.Sample(nil), s.changes...)
	samples = append(samples, availability.Sample{Service: service, At: s.last, Down: s.changes[len(s.changes)-1].Down})
	res := availability.Compute(samples, from, to.Add(time.Nanosecond))
	if len(res) != 1 || res[0].Index == nil {
		return 0, false
	}
	return *res[0].Index / 100, true
}

// Describe implements prometheus.Collector.
func (w *availabilityWindow) Describe(ch chan<- *prometheus.Desc) { ch <- w.desc }

// Collect implements prometheus.Collector.
func (w *availabilityWindow) Collect(ch chan<- prometheus.Metric) {
	w.mu.Lock()
	services := make([]string, 0, len(w.services))
	for s := range w.services {
		services = append(services, s)
	}
	w.mu.Unlock()
	sort.Strings(services)
	for _, s := range services {
		if r, ok := w.ratio(s); ok {
			ch <- prometheus.MustNewConstMetric(w.desc, prometheus.GaugeValue, r, s)
		}
	}
}

// GatewayExchange feeds the availability gauge with a request that was
// made (gateway.ExchangeObserver).
func (m *Metrics) GatewayExchange(ex *gateway.Exchange, o gateway.Outcome) {
	if m == nil || ex == nil {
		return
	}
	o.Exchange = ex
	// Read as the journal reads it, so the gauge and the report agree.
	if r, ok := journal.New("", "", "", o); ok {
		m.availability.add(ex.Service, ex.At, availability.Down(r.Outcome, r.HTTPStatus))
	}
}
