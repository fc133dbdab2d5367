package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// WatchBreak reports salyq_planned_break: 1 while in says a planned
// break of the gateway is in force (nothing is sent or polled), read on
// scrape, so that an alert on a stalled backlog can leave the breaks out.
func (m *Metrics) WatchBreak(in func() bool) error {
	if m == nil {
		return nil
	}
	return m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "salyq_planned_break", Help: "1 during a planned break of the gateway (--breaks): sending and polling wait for its end; 0 otherwise.",
	}, func() float64 {
		if in() {
			return 1
		}
		return 0
	}))
}
