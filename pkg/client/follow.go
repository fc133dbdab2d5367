package client

import (
	"context"
	"errors"
	"time"
)

// Update is a change Follow saw: a new status of a submission, or the
// permanent error that ended following it.
type Update struct {
	ID     string
	Status Status
	Err    error
}

// Follow polls the submissions ids and sends an Update on the returned
// channel each time one's status changes (the first poll of each counts
// as a change), until every one is terminal — its last Update has
// Status.Terminal set — or has failed permanently (Update.Err: not
// found, forbidden), or ctx ends. Then the channel is closed. Temporary
// failures are polled through. The caller must receive until the channel
// closes or cancel ctx.
func (c *Client) Follow(ctx context.Context, ids []string) <-chan Update {
	out := make(chan Update)
	go func() {
		defer close(out)
		type state struct {
			last  string
			n     int
			delay time.Duration
			due   time.Time
		}
		open := map[string]*state{}
		for _, id := range ids {
			open[id] = &state{delay: c.poll.Min}
		}
		for len(open) > 0 {
			now := time.Now()
			next := now.Add(c.poll.Max)
			for id, st := range open {
				if st.due.After(now) {
					next = minTime(next, st.due)
					continue
				}
				s, err := c.Status(ctx, id)
				if ctx.Err() != nil {
					return
				}
				var u *Update
				switch {
				case err != nil && !errors.Is(err, ErrUnavailable):
					u = &Update{ID: id, Err: err}
					delete(open, id)
				case err == nil && (s.Status != st.last || len(s.History) != st.n || s.Terminal):
					u = &Update{ID: id, Status: s}
					st.last, st.n, st.delay = s.Status, len(s.History), c.poll.Min
					if s.Terminal {
						delete(open, id)
					}
				default:
					st.delay = c.poll.next(st.delay)
				}
				if u != nil {
					select {
					case out <- *u:
					case <-ctx.Done():
						return
					}
				}
				st.due = time.Now().Add(st.delay)
				next = minTime(next, st.due)
			}
			if len(open) == 0 {
				return
			}
			t := time.NewTimer(time.Until(next))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}()
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
