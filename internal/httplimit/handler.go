package httplimit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// limiter enforces MaxConcurrent and MaxReadBytes around a handler.
type limiter struct {
	next  http.Handler
	slots chan struct{}
	sem   *byteSem
	l     Limits
}

// Wrap returns next within l's request and body caps (the timeouts are
// the server's: see Server).
func (l Limits) Wrap(next http.Handler) http.Handler {
	lim := &limiter{next: next, l: l}
	if l.MaxConcurrent > 0 {
		lim.slots = make(chan struct{}, l.MaxConcurrent)
	}
	if l.MaxReadBytes > 0 {
		lim.sem = newByteSem(int64(max(l.MaxReadBytes, l.MaxBody+1+step)))
	}
	return lim
}

// probe reports the requests left outside the caps: health probes and
// metrics scrapes carry no body and must answer while the API is busy, or
// a busy producer would be taken for a dead one and restarted.
func probe(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	switch r.URL.Path {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return false
}

func (lim *limiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if probe(r) {
		lim.next.ServeHTTP(w, r)
		return
	}
	if lim.slots != nil {
		select {
		case lim.slots <- struct{}{}:
			defer func() { <-lim.slots }()
		default:
			Busy(w, fmt.Errorf("%w: %d requests in progress", ErrBusy, lim.l.MaxConcurrent))
			return
		}
	}
	if lim.sem != nil && r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		if r.ContentLength > 0 {
			n := r.ContentLength
			if lim.l.MaxBody > 0 {
				n = min(n, int64(lim.l.MaxBody)+1)
			}
			ctx, cancel := context.WithTimeout(r.Context(), lim.l.wait())
			got, err := lim.sem.acquire(ctx, n)
			cancel()
			if err != nil {
				Busy(w, fmt.Errorf("%w: request body budget in use", ErrBusy))
				return
			}
			defer lim.sem.release(got)
		} else {
			b := &meteredBody{rc: r.Body, sem: lim.sem, ctx: r.Context(), wait: lim.l.wait()}
			r.Body = b
			defer b.releaseAll()
		}
	}
	lim.next.ServeHTTP(w, r)
}

// Busy answers 503 with Retry-After and a JSON error body: the client did
// nothing wrong and may send the same request again.
func Busy(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusServiceUnavailable)
	json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

// meteredBody reserves budget for a body of unknown length a step ahead
// of reading it, and holds what it read until the request ends.
type meteredBody struct {
	rc   io.ReadCloser
	sem  *byteSem
	ctx  context.Context
	wait time.Duration

	held, read int64
	err        error
}

func (b *meteredBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.read >= b.held {
		ctx, cancel := context.WithTimeout(b.ctx, b.wait)
		got, err := b.sem.acquire(ctx, step)
		cancel()
		if err != nil {
			b.err = fmt.Errorf("%w: request body budget in use", ErrBusy)
			return 0, b.err
		}
		b.held += got
	}
	if room := b.held - b.read; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.rc.Read(p)
	b.read += int64(n)
	return n, err
}

func (b *meteredBody) Close() error { return b.rc.Close() }

func (b *meteredBody) releaseAll() {
	b.sem.release(b.held)
	b.held = 0
}
