package httplimit

import (
	"context"
	"sync"
)

// byteSem is a weighted FIFO semaphore of bytes: a large body waiting for
// room is not overtaken forever by small ones.
type byteSem struct {
	mu      sync.Mutex
	size    int64
	free    int64
	waiters []*waiter
}

type waiter struct {
	n     int64
	ready chan struct{}
}

func newByteSem(size int64) *byteSem { return &byteSem{size: size, free: size} }

// acquire takes n bytes (at most the whole budget, so that one request
// can never wait forever) and returns how many it took.
func (s *byteSem) acquire(ctx context.Context, n int64) (int64, error) {
	n = min(n, s.size)
	s.mu.Lock()
	if len(s.waiters) == 0 && s.free >= n {
		s.free -= n
		s.mu.Unlock()
		return n, nil
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	s.waiters = append(s.waiters, w)
	s.mu.Unlock()
	select {
	case <-w.ready:
		return n, nil
	case <-ctx.Done():
		s.mu.Lock()
		defer s.mu.Unlock()
		select {
		case <-w.ready:
			// Granted while giving up: hand it back.
			s.free += n
		default:
			for i, x := range s.waiters {
				if x == w {
					s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
					break
				}
			}
		}
		s.grant()
		return 0, ctx.Err()
	}
}

func (s *byteSem) release(n int64) {
	if n == 0 {
		return
	}
	s.mu.Lock()
	s.free += n
	s.grant()
	s.mu.Unlock()
}

// grant wakes waiters in order while the first one fits; s.mu is held.
func (s *byteSem) grant() {
	for len(s.waiters) > 0 && s.free >= s.waiters[0].n {
		w := s.waiters[0]
		s.waiters = s.waiters[1:]
		s.free -= w.n
		close(w.ready)
	}
}

// inUse reports the bytes held.
func (s *byteSem) inUse() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size - s.free
}
