package statusfsm

import (
	"math"
	"time"
)

// Backoff spaces polls of a form whose status has not changed: the delay
// after the n-th unchanged poll is Min·Factor^n, capped at Max, with
// optional jitter. The zero value uses the defaults below.
type Backoff struct {
	// Min is the delay before the first poll; default 5s.
	Min time.Duration
	// Max caps the delay; default 10m.
	Max time.Duration
	// Factor multiplies the delay per step; default 2. Values below 1 mean 1.
	Factor float64
	// Jitter spreads each delay uniformly over ±Jitter·delay (0..1); it
	// keeps thousands of forms sent in one batch from being polled in lockstep.
	Jitter float64
	// Rand returns values in [0,1); nil disables jitter, which makes
	// schedules reproducible in tests.
	Rand func() float64
}

// Backoff defaults.
const (
	DefaultPollMin    = 5 * time.Second
	DefaultPollMax    = 10 * time.Minute
	DefaultPollFactor = 2.0
)

func (b Backoff) withDefaults() Backoff {
	if b.Min <= 0 {
		b.Min = DefaultPollMin
	}
	if b.Max <= 0 {
		b.Max = DefaultPollMax
	}
	if b.Max < b.Min {
		b.Max = b.Min
	}
	if b.Factor == 0 {
		b.Factor = DefaultPollFactor
	}
	if b.Factor < 1 || math.IsNaN(b.Factor) {
		b.Factor = 1
	}
	if b.Jitter < 0 || math.IsNaN(b.Jitter) {
		b.Jitter = 0
	}
	if b.Jitter > 1 {
		b.Jitter = 1
	}
	return b
}

// NextPoll returns the delay before the poll that follows step unchanged
// polls (step 0 is the first poll). The result is always in [Min·(1-Jitter), Max].
func (b Backoff) NextPoll(step int) time.Duration {
	b = b.withDefaults()
	if step < 0 {
		step = 0
	}
	// Pow overflows to +Inf for large steps, which the cap handles.
	d := float64(b.Min) * math.Pow(b.Factor, float64(step))
	if d > float64(b.Max) || math.IsInf(d, 0) || math.IsNaN(d) {
		d = float64(b.Max)
	}
	if b.Rand != nil && b.Jitter > 0 {
		r := b.Rand()
		if r < 0 || r >= 1 || math.IsNaN(r) {
			r = 0.5
		}
		d *= 1 + b.Jitter*(2*r-1)
		if d > float64(b.Max) {
			d = float64(b.Max)
		}
	}
	return time.Duration(d)
}
