package sonosim

import (
	"maps"
	"sync"
)

// Stats is what the sandbox saw since it started or was last reset. It is
// served as JSON at GET /_sim/stats and returned by Server.Stats.
type Stats struct {
	// Requests counts SyncChannel requests by serviceId; requests whose
	// service could not be read count under "-".
	Requests map[string]int64 `json:"requests"`
	// FilingsAccepted counts forms taken for processing.
	FilingsAccepted int64 `json:"filingsAccepted"`
	// DuplicateFilings counts acceptances of a form already accepted: the
	// same taxpayer, code, period, kind and content. salyq's exactly-once
	// delivery must keep this at zero.
	DuplicateFilings int64 `json:"duplicateFilings"`
	// RepeatedFilings counts accepted filings per taxpayer/code/period/kind
	// where there is more than one (additional forms legitimately repeat;
	// a repeated dt_regular means a rejected one was filed again).
	RepeatedFilings map[string]int64 `json:"repeatedFilings"`
	// Refusals counts refusals by code: business errorInfo codes and the
	// gateway fault codes of requests that failed verification.
	Refusals map[string]int64 `json:"refusals"`
	// Faults counts injected faults by kind: http503, transient,
	// throttled, maintenance, latency-tail, drop.
	Faults map[string]int64 `json:"injectedFaults"`
	// Drops counts connections closed after a filing was accepted.
	Drops int64 `json:"drops"`
}

// Kinds of injected faults in Stats.Faults.
const (
	faultHTTP503     = "http503"
	faultTransient   = "transient"
	faultThrottled   = "throttled"
	faultMaintenance = "maintenance"
	faultTail        = "latency-tail"
	faultDrop        = "drop"
)

// statsBook keeps Stats and the per-form counts behind them.
type statsBook struct {
	mu       sync.Mutex
	s        Stats
	sameForm map[string]int64 // key + digest
	perKey   map[string]int64 // taxpayer/code/period/kind
}

func newStatsBook() *statsBook {
	b := &statsBook{}
	b.reset()
	return b
}

func (b *statsBook) reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.s = Stats{Requests: map[string]int64{}, RepeatedFilings: map[string]int64{}, Refusals: map[string]int64{}, Faults: map[string]int64{}}
	b.sameForm = map[string]int64{}
	b.perKey = map[string]int64{}
}

func (b *statsBook) request(service string) {
	if service == "" {
		service = "-"
	}
	b.mu.Lock()
	b.s.Requests[service]++
	b.mu.Unlock()
}

func (b *statsBook) refusal(code string) {
	b.mu.Lock()
	b.s.Refusals[code]++
	b.mu.Unlock()
}

func (b *statsBook) fault(kind string) {
	b.mu.Lock()
	b.s.Faults[kind]++
	if kind == faultDrop {
		b.s.Drops++
	}
	b.mu.Unlock()
}

func (b *statsBook) accepted(f *Filing) {
	key := f.Taxpayer + "/" + f.Code + "/" + f.Period.String() + "/" + string(f.Kind)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.s.FilingsAccepted++
	b.sameForm[key+"/"+f.Digest]++
	if b.sameForm[key+"/"+f.Digest] > 1 {
		b.s.DuplicateFilings++
	}
	b.perKey[key]++
	if n := b.perKey[key]; n > 1 {
		b.s.RepeatedFilings[key] = n
	}
}

func (b *statsBook) snapshot() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.s
	out.Requests = maps.Clone(b.s.Requests)
	out.RepeatedFilings = maps.Clone(b.s.RepeatedFilings)
	out.Refusals = maps.Clone(b.s.Refusals)
	out.Faults = maps.Clone(b.s.Faults)
	return out
}
