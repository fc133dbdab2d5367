package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// KeyExpiry is one key of the keystore as salyq_key_expiry_days shows it.
type KeyExpiry struct {
	Taxpayer string // IIN/BIN
	File     string // container file name in the keystore
	NotAfter time.Time
}

// keyCollector computes the days left on every scrape, so the gauge
// counts down in a process that runs for months.
type keyCollector struct {
	keys  []KeyExpiry
	clock func() time.Time
	desc  *prometheus.Desc
}

// WatchKeys reports salyq_key_expiry_days{taxpayer,file}: the days until
// each key's certificate expires (negative once expired), computed on
// scrape by clock (nil: time.Now). The keystore does not change while a
// process runs, so keys is read once.
func (m *Metrics) WatchKeys(keys []KeyExpiry, clock func() time.Time) error {
	if m == nil {
		return nil
	}
	return m.reg.Register(newKeyCollector(keys, clock))
}

func newKeyCollector(keys []KeyExpiry, clock func() time.Time) *keyCollector {
	if clock == nil {
		clock = time.Now
	}
	return &keyCollector{keys: keys, clock: clock, desc: prometheus.NewDesc("salyq_key_expiry_days",
		"Days until the certificate of a keystore key expires (negative: expired).", []string{"taxpayer", "file"}, nil)}
}

func (c *keyCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *keyCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.clock()
	for _, k := range c.keys {
		days := k.NotAfter.Sub(now).Hours() / 24
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, days, k.Taxpayer, k.File)
	}
}
