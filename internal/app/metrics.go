package app

import (
	"context"
	"errors"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/salyq/salyq/internal/metrics"
	"github.com/salyq/salyq/internal/streams"
)

// watch registers the collectors read on scrape for the parts this
// process runs: the NATS connection, its readiness as health says, the
// lag of the consumers it works on, the expiry of its keys, the planned
// breaks its worker and poller wait out. Serve may run more than once on one
// runtime (tests restart the parts): what is registered already stays.
func (rt *Runtime) watch(parts Parts, health *Health) error {
	var cs []metrics.Consumer
	if parts.Intake || parts.Worker {
		// The producer shows the backlog it feeds, too.
		cs = append(cs, metrics.Consumer{Stream: streams.Submissions, Name: streams.ConsumerWorker})
	}
	if parts.Poller {
		cs = append(cs, metrics.Consumer{Stream: streams.Status, Name: streams.ConsumerPoller})
	}
	var keys []metrics.KeyExpiry
	if rt.Keys != nil {
		for _, e := range rt.Keys.Entries() {
			keys = append(keys, metrics.KeyExpiry{Taxpayer: e.Key.Identity().TaxpayerID(), File: e.File, NotAfter: e.Key.Certificate().NotAfter})
		}
	}
	for _, err := range []error{
		rt.Metrics.WatchNATS(rt.NC),
		rt.Metrics.WatchReady(func() bool { return health.Ready(context.Background()) == nil }),
		rt.Metrics.WatchConsumers(rt.JS, 0, cs...),
		rt.Metrics.WatchKeys(keys, rt.Clock),
		rt.watchBreak(parts),
	} {
		var are prometheus.AlreadyRegisteredError
		if err != nil && !errors.As(err, &are) {
			return err
		}
	}
	return nil
}

// watchBreak reports salyq_planned_break for a process that sends or
// polls.
func (rt *Runtime) watchBreak(parts Parts) error {
	if !parts.Worker && !parts.Poller {
		return nil
	}
	breaks := rt.DeliveryPolicy.Breaks
	return rt.Metrics.WatchBreak(func() bool { return breaks.In(rt.Clock()) })
}

// withMetrics serves GET /metrics (unauthenticated, like the probes: it
// carries counts, never ids or secrets) and everything else with next.
func (rt *Runtime) withMetrics(next http.Handler) http.Handler {
	if rt.Metrics == nil {
		return next
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", rt.Metrics.Handler())
	mux.Handle("/", next)
	return mux
}
