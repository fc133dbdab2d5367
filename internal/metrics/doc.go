// Package metrics is salyq's Prometheus instrumentation: one registry per
// process (never the global default one, so that several parts or test
// harnesses in one process do not collide), the counters, gauges and
// histograms the parts report to through small hooks, and collectors
// that read consumer lag, the NATS connection and key expiry when
// scraped. The recording and Watch methods of a nil *Metrics do nothing,
// so a part built without metrics needs no checks.
package metrics
