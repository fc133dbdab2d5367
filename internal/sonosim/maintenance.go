package sonosim

import (
	"sync"
	"time"
)

// maintenance decides whether the gateway is in a break.
type maintenance struct {
	cfg Maintenance

	mu    sync.Mutex
	epoch time.Time // start of the periodic schedule
}

// active returns how long the break at now lasts, or 0 outside breaks.
func (m *maintenance) active(now time.Time) time.Duration {
	if end := m.cfg.Breaks.Next(now); end.After(now) {
		return end.Sub(now)
	}
	if m.cfg.Every > 0 && m.cfg.For > 0 {
		m.mu.Lock()
		epoch := m.epoch
		m.mu.Unlock()
		if el := now.Sub(epoch); el >= 0 {
			if off := el % m.cfg.Every; off >= m.cfg.Every-m.cfg.For {
				return m.cfg.Every - off
			}
		}
	}
	return 0
}

func (m *maintenance) reset(now time.Time) {
	m.mu.Lock()
	m.epoch = now
	m.mu.Unlock()
}
