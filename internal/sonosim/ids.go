package sonosim

import (
	"fmt"
	"math/rand/v2"
	"sync"
)

// seededIDs returns a UUID (version 4 layout) source seeded from seed, so
// that a run with a given seed hands out the same request ids and hence
// the same scenarios. These are not secrets: they only need to be unique
// within one run.
func seededIDs(seed uint64) func() string {
	var mu sync.Mutex
	r := rand.New(rand.NewPCG(seed, 0x69647321))
	return func() string {
		mu.Lock()
		hi, lo := r.Uint64(), r.Uint64()
		mu.Unlock()
		hi = hi&^0xf000 | 0x4000     // version 4
		lo = lo&^(0xc<<60) | 0x8<<60 // RFC 4122 variant
		return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
	}
}
