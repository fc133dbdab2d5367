package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// Health answers a service's probes: /healthz is 200 while the process
// serves at all (a supervisor restarts it otherwise), /readyz is 200 only
// while the NATS connection is up, JetStream answers for salyq's streams
// and every other check passes (keys loaded, the poller's store
// readable), so that a load balancer or Kubernetes stops sending work to
// a process that cannot do it, without restarting it.
type Health struct {
	nc    *nats.Conn
	clock func() time.Time
	// ttl is how long a probe's answer is reused: probes come from several
	// places at once and each asks JetStream.
	ttl time.Duration
	// timeout bounds one probe.
	timeout time.Duration

	mu      sync.Mutex
	checks  []healthCheck
	checked time.Time
	err     error
}

// healthCheck is one condition of readiness.
type healthCheck struct {
	name  string
	check func(context.Context) error
}

// NewHealth returns the probes of rt: connection status of rt.NC, an
// info request on the submissions stream and, when rt has a keystore, that
// it holds a key.
func NewHealth(rt *Runtime) *Health {
	h := &Health{nc: rt.NC, clock: rt.Clock, ttl: time.Second, timeout: 2 * time.Second}
	h.Check("JetStream", func(ctx context.Context) error {
		_, err := rt.Streams.Submissions.Info(ctx)
		return err
	})
	if ks := rt.Keys; ks != nil {
		h.Check("keys", func(context.Context) error {
			if len(ks.Entries()) == 0 {
				return fmt.Errorf("%w in %s", ErrNoKeys, ks.Dir())
			}
			return nil
		})
	}
	return h
}

// Check adds a condition of readiness, named in the reason when it fails.
func (h *Health) Check(name string, check func(context.Context) error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checks = append(h.checks, healthCheck{name, check})
	h.checked = time.Time{}
}

// Ready reports nil when the process can do its work.
func (h *Health) Ready(ctx context.Context) error {
	if st := h.nc.Status(); st != nats.CONNECTED {
		return fmt.Errorf("%w: %s", ErrNotConnected, st)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.clock()
	if !h.checked.IsZero() && now.Sub(h.checked) < h.ttl && now.After(h.checked) {
		return h.err
	}
	pctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	h.err = nil
	for _, c := range h.checks {
		if err := c.check(pctx); err != nil {
			h.err = fmt.Errorf("%s: %w", c.name, err)
			break
		}
	}
	h.checked = h.clock()
	return h.err
}

// Wrap serves GET /healthz and /readyz, and everything else with next
// (nil: 404).
func (h *Health) Wrap(next http.Handler) http.Handler {
	if next == nil {
		next = http.NotFoundHandler()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"status":"ok"}` + "\n"))
		case "/readyz":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			if err := h.Ready(r.Context()); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				json.NewEncoder(w).Encode(map[string]any{"ready": false, "reason": err.Error()})
				return
			}
			w.Write([]byte(`{"ready":true}` + "\n"))
		default:
			next.ServeHTTP(w, r)
		}
	})
}
