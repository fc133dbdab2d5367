package httplimit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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
		lim.sem = newByteSem(int64(max(l.MaxReadBytes, l.MaxBody+1)))
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
		// A body of unknown length (chunked) reserves the most the
		// handler reads and gives back the rest at its end: reserving it
		// step by step as it arrives deadlocks as soon as several
		// half-read bodies share out the whole budget.
		n := r.ContentLength
		if n < 0 || (lim.l.MaxBody > 0 && n > int64(lim.l.MaxBody)) {
			n = int64(lim.l.MaxBody) + 1
			if lim.l.MaxBody <= 0 {
				n = lim.sem.size
			}
		}
		ctx, cancel := context.WithTimeout(r.Context(), lim.l.wait())
		got, err := lim.sem.acquire(ctx, n)
		cancel()
		if err != nil {
			Busy(w, fmt.Errorf("%w: request body budget in use", ErrBusy))
			return
		}
		b := &heldBody{rc: r.Body, sem: lim.sem, held: got}
		if r.ContentLength < 0 {
			r.Body = b
		}
		defer b.releaseAll()
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

// heldBody holds a request's reservation; a body of unknown length gives
// back what it did not use once it has been read to its end.
type heldBody struct {
	rc   io.ReadCloser
	sem  *byteSem
	held int64
	read int64
}

func (b *heldBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.read += int64(n)
	if err == io.EOF && b.held > b.read {
		b.sem.release(b.held - b.read)
		b.held = b.read
	}
	return n, err
}

func (b *heldBody) Close() error { return b.rc.Close() }

func (b *heldBody) releaseAll() {
	b.sem.release(b.held)
	b.held = 0
}
