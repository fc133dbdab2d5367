package metrics

import (
	"math"
	"testing"
	"time"
)

// TestAvailabilityWindow: the ratio over the last hour follows an outage
// in and out of the window, and is absent without an exchange in it.
func TestAvailabilityWindow(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := t0
	w := newAvailabilityWindow(func() time.Time { return now }, time.Hour)
	const svc = "SONO_FNO_SEND"
	if _, ok := w.ratio(svc); ok {
		t.Fatal("a ratio without exchanges")
	}
	step := func(min int, down bool) {
		now = t0.Add(time.Duration(min) * time.Minute)
		w.add(svc, now, down)
	}
	for m := 0; m < 60; m++ {
		// Down from minute 20 to 32: 12 minutes.
		step(m, m >= 20 && m < 32)
	}
	now = t0.Add(60 * time.Minute)
	if r, ok := w.ratio(svc); !ok || math.Abs(r-48.0/60) > 1e-9 {
		t.Errorf("ratio %v %v, want 0.8", r, ok)
	}
	if n := len(w.services[svc].changes); n > 3 {
		t.Errorf("%d changes kept for one outage", n)
	}
	// An hour on, the outage has left the window.
	step(95, false)
	if r, ok := w.ratio(svc); !ok || r != 1 {
		t.Errorf("ratio %v %v after the outage left the window, want 1", r, ok)
	}
	now = t0.Add(200 * time.Minute)
	if _, ok := w.ratio(svc); ok {
		t.Error("a ratio without an exchange in the window")
	}
}
