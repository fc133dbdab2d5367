package availability_test

import (
	"testing"
	"time"

	"github.com/salyq/salyq/internal/availability"
)

const (
	ep   = "https://gw/bip-sync-wss-gost/"
	send = "SONO_FNO_SEND"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func up(min int) availability.Sample {
	return availability.Sample{Endpoint: ep, Service: send, At: at(min)}
}

func down(min int) availability.Sample {
	return availability.Sample{Endpoint: ep, Service: send, At: at(min), Down: true}
}

// TestCompute: R runs from a failed exchange to the next good one,
// clipped to the period; consecutive failures are one outage; the state
// before the period carries into it; no exchange in the period is
// unknown.
func TestCompute(t *testing.T) {
	for _, c := range []struct {
		name      string
		samples   []availability.Sample
		from, to  int
		r         time.Duration
		index     float64 // -1: unknown
		n, failed int
		longest   [2]int // minutes; {0,0}: none
	}{
		{"all up", []availability.Sample{up(0), up(30)}, 0, 60, 0, 100, 2, 0, [2]int{}},
		{"one outage", []availability.Sample{up(0), down(10), down(12), down(14), up(16), up(40)}, 0, 60, 6 * time.Minute, 90, 6, 3, [2]int{10, 16}},
		{"two outages, longest second", []availability.Sample{down(5), up(7), down(20), up(30)}, 0, 60, 12 * time.Minute, 80, 4, 2, [2]int{20, 30}},
		{"down to the period's end", []availability.Sample{up(0), down(45)}, 0, 60, 15 * time.Minute, 75, 2, 1, [2]int{45, 60}},
		{"down from before the period", []availability.Sample{down(-30), up(6)}, 0, 60, 6 * time.Minute, 90, 1, 0, [2]int{0, 6}},
		{"up before the period, down inside", []availability.Sample{up(-30), down(30), up(36)}, 0, 60, 6 * time.Minute, 90, 2, 1, [2]int{30, 36}},
		{"outage past the period's end", []availability.Sample{up(0), down(54), up(70)}, 0, 60, 6 * time.Minute, 90, 2, 1, [2]int{54, 60}},
		{"nothing in the period", []availability.Sample{down(-30), up(70)}, 0, 60, 30 * time.Minute, -1, 0, 0, [2]int{30, 60}},
		{"no exchanges at all", nil, 0, 60, 0, -1, 0, 0, [2]int{}},
		{"unsorted, same instant", []availability.Sample{up(30), down(0), up(30), down(30)}, 0, 60, 30 * time.Minute, 50, 4, 2, [2]int{0, 30}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := availability.Compute(c.samples, at(c.from), at(c.to))
			if len(c.samples) == 0 {
				if len(res) != 0 {
					t.Fatalf("results without samples: %+v", res)
				}
				return
			}
			if len(res) != 1 {
				t.Fatalf("%d results, want 1", len(res))
			}
			r := res[0]
			if r.T != time.Hour || r.Exchanges != c.n || r.Failed != c.failed {
				t.Errorf("T %s, %d exchanges %d failed; want 1h, %d, %d", r.T, r.Exchanges, r.Failed, c.n, c.failed)
			}
			if c.index < 0 {
				if r.Index != nil {
					t.Errorf("index %.2f, want unknown", *r.Index)
				}
				return
			}
			if r.R != c.r {
				t.Errorf("R %s, want %s (outages %+v)", r.R, c.r, r.Outages)
			}
			if r.Index == nil || *r.Index != c.index {
				t.Errorf("index %v, want %.2f", r.Index, c.index)
			}
			switch {
			case c.longest == [2]int{} && r.Longest != nil:
				t.Errorf("longest %+v, want none", r.Longest)
			case c.longest != [2]int{} && (r.Longest == nil || !r.Longest.Start.Equal(at(c.longest[0])) || !r.Longest.End.Equal(at(c.longest[1]))):
				t.Errorf("longest %+v, want %v", r.Longest, c.longest)
			}
		})
	}
}

// TestComputeGroups: endpoints and services are reckoned apart.
func TestComputeGroups(t *testing.T) {
	other := down(0)
	other.Service = "SONO_FNO_GET_STATUS"
	res := availability.Compute([]availability.Sample{down(0), up(30), other}, at(0), at(60))
	if len(res) != 2 || res[0].Service != "SONO_FNO_GET_STATUS" || res[0].R != time.Hour || res[1].R != 30*time.Minute {
		t.Fatalf("results %+v", res)
	}
}

// TestDown: throttling and refusals are answers of a running service;
// no answer, no connection, 5xx and maintenance are not.
func TestDown(t *testing.T) {
	for _, c := range []struct {
		outcome string
		status  int
		want    bool
	}{
		{"success", 200, false}, {"throttled", 429, false}, {"permanent", 500, false},
		{"transient", 503, true}, {"transient", 500, true}, {"maintenance", 503, true},
		{"no answer", 0, true}, {"not sent", 0, true}, {"ambiguous", 502, true}, {"ambiguous", 200, false},
	} {
		if got := availability.Down(c.outcome, c.status); got != c.want {
			t.Errorf("Down(%s, %d) = %v, want %v", c.outcome, c.status, got, c.want)
		}
	}
}
