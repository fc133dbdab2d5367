package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/salyq/salyq/pkg/envelope"
)

// Metrics is the instrumentation of one process.
type Metrics struct {
	reg *prometheus.Registry

	formsReceived prometheus.Counter
	formsRefused  *prometheus.CounterVec
	gwRequests    *prometheus.CounterVec
	gwDuration    *prometheus.HistogramVec
	sendsInFlight prometheus.Gauge
	deliveries    *prometheus.CounterVec
	deadLetters   *prometheus.CounterVec
	transitions   *prometheus.CounterVec
	notices       *prometheus.CounterVec
	pollDuration  prometheus.Histogram
	pollerActive  prometheus.Gauge
	availability  *availabilityWindow
}

// gatewayBuckets span a fast sandbox (milliseconds) to the gateway's
// 60 s timeout.
var gatewayBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// New returns the metrics of one process on a registry of its own, with
// the Go runtime and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg, availability: newAvailabilityWindow(time.Now, AvailabilityWindow),
		formsReceived: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "salyq_forms_received_total", Help: "Forms the intake received (files, stdin, HTTP), accepted or not.",
		}),
		formsRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salyq_forms_refused_total", Help: "Forms the intake did not enqueue as new submissions, by reason.",
		}, []string{"reason"}),
		gwRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salyq_gateway_requests_total", Help: "Gateway requests by service (method) and outcome class.",
		}, []string{"method", "class"}),
		gwDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "salyq_gateway_request_duration_seconds", Help: "Duration of gateway requests, signing and verifying included.",
			Buckets: gatewayBuckets,
		}, []string{"method"}),
		sendsInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "salyq_sends_in_flight", Help: "SONO_FNO_SEND requests of this worker under way.",
		}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salyq_deliveries_total", Help: "Messages settled, by consumer (worker: submissions, poller: receipts) and verdict (ack, retry, dead-letter).",
		}, []string{"consumer", "verdict"}),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salyq_dead_letters_total", Help: "Messages dead-lettered to SALYQ_DLQ, by consumer and reason.",
		}, []string{"consumer", "reason"}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salyq_status_transitions_total", Help: "Status changes the poller recorded, by the status reached.",
		}, []string{"status"}),
		notices: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salyq_notices_total", Help: "Notices of the tax office the poller recorded, by type (acceptance, refusal, desk-audit, other).",
		}, []string{"type"}),
		pollDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "salyq_poll_duration_seconds", Help: "Duration of one status poll: key choice, request and applying the answer.",
			Buckets: gatewayBuckets,
		}),
		pollerActive: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "salyq_poller_active", Help: "1 while this poller holds the lease and polls, 0 while it stands by.",
		}),
	}
	reg.MustRegister(m.formsReceived, m.formsRefused, m.gwRequests, m.gwDuration, m.sendsInFlight,
		m.deliveries, m.deadLetters, m.transitions, m.notices, m.pollDuration, m.pollerActive, m.availability,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the process's registry, for collectors of its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// FormReceived counts a form handed to the intake.
func (m *Metrics) FormReceived() {
	if m != nil {
		m.formsReceived.Inc()
	}
}

// FormRefused counts a form not enqueued as new, reason one of Refused*.
func (m *Metrics) FormRefused(reason string) {
	if m != nil {
		m.formsRefused.WithLabelValues(reason).Inc()
	}
}

// GatewayRequest records one gateway request: its service id, the class
// of its outcome and how long it took.
func (m *Metrics) GatewayRequest(method, class string, d time.Duration) {
	if m == nil {
		return
	}
	m.gwRequests.WithLabelValues(method, class).Inc()
	m.gwDuration.WithLabelValues(method).Observe(d.Seconds())
}

// SendStarted and SendEnded bracket a SONO_FNO_SEND request.
func (m *Metrics) SendStarted() {
	if m != nil {
		m.sendsInFlight.Inc()
	}
}

// SendEnded: see SendStarted.
func (m *Metrics) SendEnded() {
	if m != nil {
		m.sendsInFlight.Dec()
	}
}

// Settled counts a message settled by consumer ("worker", "poller") with
// verdict ("ack", "retry", "dead-letter").
func (m *Metrics) Settled(consumer, verdict string) {
	if m != nil {
		m.deliveries.WithLabelValues(consumer, verdict).Inc()
	}
}

// DeadLettered counts a dead letter stored in SALYQ_DLQ.
func (m *Metrics) DeadLettered(consumer, reason string) {
	if m != nil {
		m.deadLetters.WithLabelValues(consumer, reason).Inc()
	}
}

// Transition counts a status change recorded by the poller.
func (m *Metrics) Transition(status string) {
	if m != nil {
		m.transitions.WithLabelValues(status).Inc()
	}
}

// Notice counts a notice of the tax office the poller recorded. SONO
// names the type; the label keeps the types the protocol lists and puts
// any other under "other", so that it stays a closed set.
func (m *Metrics) Notice(typ string) {
	if m == nil {
		return
	}
	label := "other"
	switch typ {
	case envelope.NoticeAcceptance, envelope.NoticeRefusal:
		label = typ
	case envelope.NoticeDeskAudit:
		label = "desk-audit"
	}
	m.notices.WithLabelValues(label).Inc()
}

// Polled records the duration of one status poll.
func (m *Metrics) Polled(d time.Duration) {
	if m != nil {
		m.pollDuration.Observe(d.Seconds())
	}
}

// PollerActive sets whether this poller is the active one.
func (m *Metrics) PollerActive(active bool) {
	if m == nil {
		return
	}
	v := 0.0
	if active {
		v = 1
	}
	m.pollerActive.Set(v)
}
