package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/streams"
)

// liveEvent is what a page hears of a status event: enough to know
// whether to fetch its counts or its form again, no more.
type liveEvent struct {
	ID   string `json:"id"`
	To   string `json:"to"`
	Kind string `json:"kind,omitempty"`
}

// Bounds of one live-update connection: a page that stays open
// reconnects after maxLiveAge (EventSource does so by itself), and a
// comment every heartbeat tells a dead connection apart.
const (
	maxLiveAge = 30 * time.Minute
	heartbeat  = 15 * time.Second
	liveBuffer = 64
)

// events streams status events of the token's taxpayers as server-sent
// events: one ordered consumer from the stream's end per connection,
// removed when the browser goes; at most MaxLive connections at once.
func (s *Server) events(w http.ResponseWriter, r *request) {
	if _, err := query(r.Request); err != nil {
		s.fail(w, r.Request, http.StatusBadRequest, err)
		return
	}
	select {
	case s.live <- struct{}{}:
		defer func() { <-s.live }()
	default:
		w.Header().Set("Retry-After", "30")
		s.fail(w, r.Request, http.StatusServiceUnavailable, ErrBusy)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), maxLiveAge)
	defer cancel()
	subjects := []string{streams.StatusPrefix + ">"}
	if !r.who.All {
		subjects = subjects[:0]
		for _, tp := range r.who.Taxpayers {
			subjects = append(subjects, streams.StatusSubject(tp))
		}
	}
	cons, err := s.cfg.JS.OrderedConsumer(ctx, streams.Status, jetstream.OrderedConsumerConfig{
		FilterSubjects: subjects, DeliverPolicy: jetstream.DeliverNewPolicy, InactiveThreshold: time.Minute,
	})
	if err != nil {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return
	}
	evs := make(chan liveEvent, liveBuffer)
	overflow := make(chan struct{}, 1)
	cc, err := cons.Consume(func(m jetstream.Msg) {
		var ev board.Event
		if json.Unmarshal(m.Data(), &ev) != nil || !r.who.Allows(ev.Taxpayer) {
			return
		}
		select {
		case evs <- liveEvent{ID: ev.ID, To: string(ev.To), Kind: ev.Kind}:
		default:
			// The page is slower than the events: it is told to fetch
			// everything again instead of being waited for.
			select {
			case overflow <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return
	}
	defer streams.Drop(ctx, s.cfg.JS, streams.Status, cons) // gone with the page
	defer cc.Stop()
	rc := http.NewResponseController(w)
	// The listener's write timeout is for answers, not for a stream.
	rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n: connected\n\n")
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			_, err = fmt.Fprint(w, ": ping\n\n")
		case <-overflow:
			_, err = fmt.Fprint(w, "event: resync\ndata: {}\n\n")
		case ev := <-evs:
			data, _ := json.Marshal(ev)
			_, err = fmt.Fprintf(w, "data: %s\n\n", data)
		}
		if err != nil || rc.Flush() != nil {
			return
		}
	}
}
