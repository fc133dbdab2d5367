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
// while the NATS connection is up and JetStream answers for salyq's
// streams, so that a load balancer or Kubernetes stops sending work to a
// process cut off from NATS without restarting it.
type Health struct {
	nc    *nats.Conn
	probe func(context.Context) error
	clock func() time.Time
	// ttl is how long a probe's answer is reused: probes come from several
	// places at once and each asks JetStream.
	ttl time.Duration
	// timeout bounds one probe.
	timeout time.Duration

	mu      sync.Mutex
	checked time.Time
	err     error
}

// NewHealth returns the probes of rt: connection status of rt.NC and an
// info request on the submissions stream.
func NewHealth(rt *Runtime) *Health {
	return &Health{
		nc: rt.NC,
		probe: func(ctx context.Context) error {
			_, err := rt.Streams.Submissions.Info(ctx)
			return err
		},
		clock:   rt.Clock,
		ttl:     time.Second,
		timeout: 2 * time.Second,
	}
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
	h.err = h.probe(pctx)
	if h.err != nil {
		h.err = fmt.Errorf("JetStream: %w", h.err)
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
