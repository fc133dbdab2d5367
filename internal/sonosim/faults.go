package sonosim

import (
	"math/rand/v2"
	"sync"
	"time"
)

// draws are the random numbers one request may consume. All of them are
// drawn for every request, whichever faults are enabled, so that enabling
// one fault does not shift the decisions of the others for a seed.
type draws struct {
	http503, transient, tail, drop float64
}

// faultRand is the seeded random source of fault injection.
type faultRand struct {
	mu   sync.Mutex
	seed uint64
	r    *rand.Rand
}

func newFaultRand(seed uint64) *faultRand {
	f := &faultRand{seed: seed}
	f.reset()
	return f
}

func (f *faultRand) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.r = rand.New(rand.NewPCG(f.seed, 0x736f6e6f73696d))
}

func (f *faultRand) draw() draws {
	f.mu.Lock()
	defer f.mu.Unlock()
	return draws{http503: f.r.Float64(), transient: f.r.Float64(), tail: f.r.Float64(), drop: f.r.Float64()}
}

// hit reports whether a draw u falls under rate. A rate of 0 never hits.
func hit(u, rate float64) bool { return u < rate }

// latency is the delay of a request: the fixed part plus, on a tail draw,
// the long tail.
func (c *Faults) latency(d draws) (time.Duration, bool) {
	if hit(d.tail, c.TailRate) {
		return c.Latency + c.TailLatency, true
	}
	return c.Latency, false
}
