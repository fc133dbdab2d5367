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
