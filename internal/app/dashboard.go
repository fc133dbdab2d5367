package app

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/salyq/salyq/internal/auth"
	"github.com/salyq/salyq/internal/availability"
	"github.com/salyq/salyq/internal/dashboard"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/pkg/ncakey"
)

// keySummaryAge is how long the dashboard shows one keystore summary or
// availability index: a summary may check chains and fetch revocation
// data, an index reads a day of the journal, too slow to redo on every
// refresh of the overview.
const keySummaryAge = time.Minute

// newDashboard returns the dashboard of the intake's listener, behind
// the API's tokens (open on loopback without them, as the API: the
// listener was checked by secureAPI). secure marks a TLS listener.
func (rt *Runtime) newDashboard(secure bool) (*dashboard.Server, error) {
	var tokens *auth.Tokens
	if rt.Cfg.Access.APITokens != "" {
		var err error
		if tokens, err = auth.OpenTokens(rt.Cfg.Access.APITokens); err != nil {
			return nil, fmt.Errorf("%w: --api-tokens: %w", ErrConfig, err)
		}
	}
	var keys func(context.Context, time.Time, time.Duration) ncakey.Summary
	if rt.Keys != nil {
		var mu sync.Mutex
		var last ncakey.Summary
		keys = func(ctx context.Context, at time.Time, within time.Duration) ncakey.Summary {
			mu.Lock()
			defer mu.Unlock()
			if last.At.IsZero() || at.Sub(last.At) > keySummaryAge || at.Before(last.At) {
				ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				defer cancel()
				last = rt.Keys.Summarize(ctx, at, within, rt.CheckKey)
			}
			return last
		}
	}
	exchanges := journal.NewReader(rt.JS)
	var mu sync.Mutex
	var measured time.Time
	var last []availability.Result
	avail := func(ctx context.Context, from, to time.Time) ([]availability.Result, error) {
		mu.Lock()
		defer mu.Unlock()
		if measured.IsZero() || to.Sub(measured) > keySummaryAge || to.Before(measured) {
			res, err := availabilityReport(ctx, exchanges, from, to)
			if err != nil {
				return nil, err
			}
			if !measuredAny(res) {
				// Nothing to show yet: read again on the next refresh
				// rather than say "not measured" for a minute.
				return res, nil
			}
			measured, last = to, res
		}
		return last, nil
	}
	ui, err := dashboard.New(dashboard.Config{
		JS: rt.JS, Streams: rt.Streams, Board: rt.Board, Tokens: tokens, Secure: secure, Keys: keys, Availability: avail,
		Clock: rt.Clock, Log: rt.Log.With("part", "dashboard"),
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return ui, nil
}

// withDashboard serves the dashboard under /ui/ beside api, and sends
// a browser opening the address itself there.
func withDashboard(api http.Handler, ui http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(dashboard.Prefix, ui)
	mux.Handle("GET /{$}", http.RedirectHandler(dashboard.Prefix, http.StatusSeeOther))
	mux.Handle("/", api)
	return mux
}

// measuredAny reports whether any service's index could be computed.
func measuredAny(res []availability.Result) bool {
	for _, r := range res {
		if r.Index != nil {
			return true
		}
	}
	return false
}
