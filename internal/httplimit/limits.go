package httplimit

import (
	"net/http"
	"time"
)

// Limits are the bounds of one HTTP listener. A zero field means no
// bound, except MaxHeaderBytes (net/http's 1 MiB default).
type Limits struct {
	// ReadHeaderTimeout bounds reading a request's headers, and how long
	// a new connection may send nothing.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included: a body
	// trickled in byte by byte is cut off.
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the
	// end of the answer, so it must cover reading the body and storing
	// the form.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection without a request.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request line and headers.
	MaxHeaderBytes int
	// MaxConcurrent is how many requests are served at once; one more is
	// answered 503 with Retry-After at once instead of queueing.
	MaxConcurrent int
	// MaxReadBytes is the budget of request body bytes held at once
	// across all requests: a request reserves its Content-Length (one of
	// unknown length, MaxBody+1 until it has been read) before it is read
	// and keeps it until its answer is written, because the form it carries lives that long in
	// the handler, parsed and signed, at several times its size.
	MaxReadBytes Size
	// MaxBody is the largest body a handler accepts (the maximum form
	// size); a request never reserves more than MaxBody+1, since the
	// handler stops reading there.
	MaxBody Size
	// Wait bounds how long a request waits for body budget before it is
	// answered 503; zero: ReadTimeout, or 10 s.
	Wait time.Duration
}

// Defaults are the limits of every salyq listener unless flags say
// otherwise: an ERP sending a 4 MiB form over a slow link gets a minute,
// the answer comes after JetStream stored the form (seconds), and a
// client holding a connection without a request is dropped after 10 s.
func Defaults() Limits {
	return Limits{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		MaxConcurrent:     64,
	}
}

// WithBody returns l for a handler taking bodies up to maxBody: MaxBody
// set, and MaxReadBytes defaulted to two such bodies — a 4 MiB form
// takes about 56 MiB of heap while it is parsed and checked, and 8
// concurrent ones admitted two at a time peaked at 179 MiB of heap with
// garbage (unbounded: about 8 × 56), while forms of usual sizes (tens of
// KB) are never held back by it — and raised to at least one, so that
// one request always fits.
func (l Limits) WithBody(maxBody Size) Limits {
	l.MaxBody = maxBody
	if l.MaxReadBytes == 0 {
		l.MaxReadBytes = 2 * maxBody
	}
	l.MaxReadBytes = max(l.MaxReadBytes, maxBody+1)
	return l
}

// Server returns an http.Server serving h within l.
func (l Limits) Server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           l.Wrap(h),
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}
}

func (l Limits) wait() time.Duration {
	switch {
	case l.Wait > 0:
		return l.Wait
	case l.ReadTimeout > 0:
		return l.ReadTimeout
	}
	return 10 * time.Second
}
