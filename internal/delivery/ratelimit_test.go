package delivery_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"

	"github.com/salyq/salyq/internal/delivery"
)

// wait calls Wait with a deadline; it returns whether Wait passed, and
// fails the test on any error but context.DeadlineExceeded.
func wait(t *testing.T, l *delivery.RateLimiter, d time.Duration) bool {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	err := l.Wait(c)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait: %v", err)
	}
	return err == nil
}

// The injected clock stands still (only Set moves it), so a Wait beyond
// the cap never passes whatever the deadline: blocked uses a short one.
// A take that should pass gets a generous one, so that a loaded machine
// does not make it look blocked.
func blocked(t *testing.T, l *delivery.RateLimiter) bool { return !wait(t, l, 200*time.Millisecond) }

func passes(t *testing.T, l *delivery.RateLimiter) bool { return wait(t, l, 5*time.Second) }

func TestRateLimiter(t *testing.T) {
	_, set := startStreams(t)
	// The injected clock stands still: only Set moves it to the next
	// second.
	clk := testenv.NewClock(time.Date(2025, 7, 15, 10, 0, 0, 500_000_000, time.UTC))
	l := delivery.NewRateLimiter(set.Rate, 5, clk.Now)
	for i := range 5 {
		if !passes(t, l) {
			t.Fatalf("take %d of 5 blocked", i+1)
		}
	}
	if !blocked(t, l) {
		t.Fatal("the 6th take in one second passed")
	}
	// The next second has its own budget.
	clk.Set(clk.Now().Add(time.Second))
	for i := range 5 {
		if !passes(t, l) {
			t.Fatalf("next second: take %d of 5 blocked", i+1)
		}
	}
	if !blocked(t, l) {
		t.Fatal("next second: the 6th take passed")
	}
}

// TestRateLimiterShared: two limiters (two worker processes) on one
// bucket share the cap.
func TestRateLimiterShared(t *testing.T) {
	_, set := startStreams(t)
	clk := testenv.NewClock(time.Date(2025, 7, 15, 10, 0, 0, 500_000_000, time.UTC))
	a := delivery.NewRateLimiter(set.Rate, 5, clk.Now)
	b := delivery.NewRateLimiter(set.Rate, 5, clk.Now)
	for i, l := range []*delivery.RateLimiter{a, b, a, b, a} {
		if !passes(t, l) {
			t.Fatalf("take %d of 5 blocked", i+1)
		}
	}
	if !blocked(t, a) || !blocked(t, b) {
		t.Fatal("a 6th take passed on one of the limiters")
	}
}

// TestRateLimiterConcurrent: racing takers never exceed the cap.
func TestRateLimiterConcurrent(t *testing.T) {
	_, set := startStreams(t)
	clk := testenv.NewClock(time.Date(2025, 7, 15, 10, 0, 0, 500_000_000, time.UTC))
	const perSecond, takers = 5, 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	passed := 0
	for range takers {
		l := delivery.NewRateLimiter(set.Rate, perSecond, clk.Now)
		wg.Go(func() {
			c, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			if l.Wait(c) == nil {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if passed != perSecond {
		t.Errorf("%d of %d racing takes passed, want %d", passed, takers, perSecond)
	}
}

func TestRateLimiterUnlimited(t *testing.T) {
	var nilLimiter *delivery.RateLimiter
	if err := nilLimiter.Wait(ctx); err != nil {
		t.Errorf("nil limiter: %v", err)
	}
	// perSecond 0 never touches the bucket (nil here).
	if err := delivery.NewRateLimiter(nil, 0, time.Now).Wait(ctx); err != nil {
		t.Errorf("unlimited: %v", err)
	}
}
