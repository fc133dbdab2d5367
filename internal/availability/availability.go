package availability

import (
	"net/http"
	"sort"
	"time"

	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/journal"
)

// Sample is one exchange as availability sees it: where it went, when it
// left and whether it found the service unavailable.
type Sample struct {
	Endpoint string
	Service  string
	At       time.Time
	Down     bool
}

// Down reports whether an exchange with this outcome (a journal outcome:
// a gateway class, "no answer" or "not sent") and HTTP status found the
// service unavailable. An answer that could not be trusted or read
// (ambiguous) counts as one from the service unless it came with a 5xx
// status, which is a proxy's, or the gateway's, failure.
func Down(outcome string, httpStatus int) bool {
	switch outcome {
	case journal.OutcomeNoAnswer, journal.OutcomeNotSent, gateway.Transient.String(), gateway.Maintenance.String():
		return true
	case gateway.Ambiguous.String():
		return httpStatus >= http.StatusInternalServerError
	}
	return false
}

// FromRecords are the samples of the exchanges among recs (delay entries
// are left out).
func FromRecords(recs []journal.Record) []Sample {
	out := make([]Sample, 0, len(recs))
	for _, r := range recs {
		if r.Delay() {
			continue
		}
		out = append(out, Sample{Endpoint: r.Endpoint, Service: r.Service, At: r.At, Down: Down(r.Outcome, r.HTTPStatus)})
	}
	return out
}

// Outage is a span [Start, End) during which a service was unavailable.
type Outage struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Duration is End − Start.
func (o Outage) Duration() time.Duration { return o.End.Sub(o.Start) }

// Result is the availability of one service at one endpoint over a
// period.
type Result struct {
	Endpoint string `json:"endpoint"`
	Service  string `json:"service"`
	// From and To are the period; T is To − From.
	From time.Time     `json:"from"`
	To   time.Time     `json:"to"`
	T    time.Duration `json:"periodNs"`
	// R is the time the service was unavailable within the period.
	R time.Duration `json:"unavailableNs"`
	// Index is (T − R) / T × 100; nil (unknown) without an exchange in
	// the period.
	Index *float64 `json:"index"`
	// Exchanges and Failed count the exchanges in the period and those
	// that found the service unavailable.
	Exchanges int `json:"exchanges"`
	Failed    int `json:"failed"`
	// Longest is the longest outage within the period, clipped to it;
	// nil without one.
	Longest *Outage `json:"longest,omitempty"`
	// Outages are all of them, clipped, in time order.
	Outages []Outage `json:"outages,omitempty"`
}

// Compute is the availability over [from, to) of every endpoint and
// service that samples mention, sorted by endpoint and service. Samples
// before from tell the state the period starts in; samples at or after
// to are ignored.
func Compute(samples []Sample, from, to time.Time) []Result {
	type key struct{ endpoint, service string }
	groups := map[key][]Sample{}
	for _, s := range samples {
		if !s.At.Before(to) {
			continue
		}
		k := key{s.Endpoint, s.Service}
		groups[k] = append(groups[k], s)
	}
	out := make([]Result, 0, len(groups))
	for k, ss := range groups {
		out = append(out, compute(k.endpoint, k.service, ss, from, to))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Endpoint != out[j].Endpoint {
			return out[i].Endpoint < out[j].Endpoint
		}
		return out[i].Service < out[j].Service
	})
	return out
}

// compute is Compute for the samples of one endpoint and service, all
// before to.
func compute(endpoint, service string, ss []Sample, from, to time.Time) Result {
	// At one instant an answer wins over a failure: the service was
	// there for someone.
	sort.SliceStable(ss, func(i, j int) bool {
		if !ss[i].At.Equal(ss[j].At) {
			return ss[i].At.Before(ss[j].At)
		}
		return ss[i].Down && !ss[j].Down
	})
	res := Result{Endpoint: endpoint, Service: service, From: from, To: to, T: to.Sub(from)}
	var start time.Time // of the outage under way; zero: none
	closeAt := func(end time.Time) {
		o := Outage{Start: maxTime(start, from), End: end}
		start = time.Time{}
		if !o.End.After(o.Start) {
			return
		}
		res.Outages = append(res.Outages, o)
		res.R += o.Duration()
		if res.Longest == nil || o.Duration() > res.Longest.Duration() {
			res.Longest = &o
		}
	}
	for _, s := range ss {
		if !s.At.Before(from) {
			res.Exchanges++
			if s.Down {
				res.Failed++
			}
		}
		switch {
		case s.Down && start.IsZero():
			start = s.At
		case !s.Down && !start.IsZero():
			closeAt(s.At)
		}
	}
	if !start.IsZero() {
		closeAt(to)
	}
	if res.Exchanges > 0 && res.T > 0 {
		idx := float64(res.T-res.R) / float64(res.T) * 100
		res.Index = &idx
	}
	return res
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
