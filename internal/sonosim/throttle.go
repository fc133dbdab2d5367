package sonosim

import (
	"sync"
	"time"
)

// throttle admits at most limit requests per one-second window of the
// injected clock. A fixed window is coarser than a token bucket but makes
// tests with a fake clock exact.
type throttle struct {
	limit int

	mu     sync.Mutex
	window time.Time
	count  int
}

// admit reports whether a request at now passes, and if not, how long
// until the next window opens.
func (t *throttle) admit(now time.Time) (bool, time.Duration) {
	if t.limit <= 0 {
		return true, 0
	}
	w := now.Truncate(time.Second)
	t.mu.Lock()
	defer t.mu.Unlock()
	if !w.Equal(t.window) {
		t.window, t.count = w, 0
	}
	if t.count >= t.limit {
		return false, w.Add(time.Second).Sub(now)
	}
	t.count++
	return true, 0
}

func (t *throttle) reset() {
	t.mu.Lock()
	t.window, t.count = time.Time{}, 0
	t.mu.Unlock()
}
