package metrics

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// Consumer names a durable consumer whose lag is reported.
type Consumer struct {
	Stream, Name string
}

// lagCollector asks JetStream for consumer info on every scrape, so the
// figures are as fresh as the scrape and cost nothing between scrapes.
type lagCollector struct {
	js        jetstream.JetStream
	consumers []Consumer
	timeout   time.Duration
	pending   *prometheus.Desc
	ackPend   *prometheus.Desc
}

// DefaultLagTimeout bounds the consumer info requests of one scrape: a
// scrape must answer even while NATS does not.
const DefaultLagTimeout = 2 * time.Second

// WatchConsumers reports salyq_consumer_pending and
// salyq_consumer_ack_pending of each consumer, read on scrape within
// timeout (≤ 0: DefaultLagTimeout). A consumer that cannot be read is
// left out of that scrape rather than reported as 0, which would look
// like an empty queue.
func (m *Metrics) WatchConsumers(js jetstream.JetStream, timeout time.Duration, consumers ...Consumer) error {
	if m == nil {
		return nil
	}
	return m.reg.Register(newLagCollector(js, timeout, consumers...))
}

func newLagCollector(js jetstream.JetStream, timeout time.Duration, consumers ...Consumer) *lagCollector {
	if timeout <= 0 {
		timeout = DefaultLagTimeout
	}
	return &lagCollector{
		js: js, consumers: consumers, timeout: timeout,
		pending: prometheus.NewDesc("salyq_consumer_pending",
			"Messages of the stream not yet delivered to the consumer.", []string{"stream"}, nil),
		ackPend: prometheus.NewDesc("salyq_consumer_ack_pending",
			"Messages delivered to the consumer and not yet acknowledged.", []string{"stream"}, nil),
	}
}

func (c *lagCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.ackPend
}

func (c *lagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	for _, cs := range c.consumers {
		cons, err := c.js.Consumer(ctx, cs.Stream, cs.Name)
		if err != nil {
			continue
		}
		info, err := cons.Info(ctx)
		if err != nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(info.NumPending), cs.Stream)
		ch <- prometheus.MustNewConstMetric(c.ackPend, prometheus.GaugeValue, float64(info.NumAckPending), cs.Stream)
	}
}
