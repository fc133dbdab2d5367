package dashboard

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/salyq/salyq/internal/auth"
	"github.com/salyq/salyq/internal/board"
)

// viewsFresh is how long the board's views, read once, serve every
// request: an open page reloads its live fragment after events, and at
// quarter-end, with a hundred thousand records and events every few
// milliseconds, each reload of each page read the whole board alone.
const viewsFresh = time.Second

// viewCache holds the board's views, newest first, as read at `at` (on
// the monotonic clock: Config.Clock may be a test's fake that stands
// still). One request reads the board while the others wait for it.
type viewCache struct {
	mu  sync.Mutex
	at  time.Time
	all []board.View
}

// views returns the views of the forms who may see, newest first.
func (s *Server) views(ctx context.Context, who auth.Principal) ([]board.View, error) {
	all, err := s.cache.get(ctx, s.cfg.Board)
	if err != nil {
		return nil, err
	}
	var out []board.View
	for _, v := range all {
		if who.Allows(v.Taxpayer) {
			out = append(out, v)
		}
	}
	return out, nil
}

// scoped is views for a handler: on an error it answers 503 and
// returns false.
func (s *Server) scoped(w http.ResponseWriter, r *request) ([]board.View, bool) {
	vs, err := s.views(r.Context(), r.who)
	if err != nil {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return nil, false
	}
	return vs, true
}

// get returns the cached views, read again when older than viewsFresh.
// The slice is shared: callers must not change it.
func (c *viewCache) get(ctx context.Context, b *board.Board) ([]board.View, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.all != nil && time.Since(c.at) < viewsFresh {
		return c.all, nil
	}
	start := time.Now()
	all, err := b.All(ctx)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].Updated.Equal(all[j].Updated) {
			return all[i].Updated.After(all[j].Updated)
		}
		return all[i].ID < all[j].ID
	})
	c.all, c.at = slices.Clip(all), start
	if c.all == nil {
		c.all = []board.View{}
	}
	return c.all, nil
}
