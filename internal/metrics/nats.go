package metrics

import (
	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
)

// WatchNATS reports salyq_nats_connected: 1 while nc is connected, read
// on scrape.
func (m *Metrics) WatchNATS(nc *nats.Conn) error {
	if m == nil {
		return nil
	}
	return m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "salyq_nats_connected", Help: "1 while the NATS connection is up, 0 while it is not.",
	}, func() float64 {
		if nc.Status() == nats.CONNECTED {
			return 1
		}
		return 0
	}))
}

// WatchReady reports salyq_ready: 1 while ready says the process can do
// its work (the /readyz checks: NATS connected, the streams provisioned
// and answering, keys loaded, the poller's store readable), read on
// scrape.
func (m *Metrics) WatchReady(ready func() bool) error {
	if m == nil {
		return nil
	}
	return m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "salyq_ready", Help: "1 while the process is ready (/readyz answers 200), 0 while it is not.",
	}, func() float64 {
		if ready() {
			return 1
		}
		return 0
	}))
}
