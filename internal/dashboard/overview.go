package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// keyWindow is how far ahead the overview lists expiring keys: time
// enough to have NCA reissue one.
const keyWindow = 30 * 24 * time.Hour

// overviewData is what the overview shows.
type overviewData struct {
	Total, InFlight, DeadLetters int
	Phases                       []countRow
	Statuses                     []countRow
	Queues                       []queueRow
	Keys                         []ncakey.KeyNote
	HasKeys                      bool
	// Availability is the gateway's availability index over the last
	// AvailabilityWindow, per service; empty: not measured (no exchange
	// in the window, or no journal in this process).
	Availability string
}

type countRow struct {
	Phase    statusfsm.Phase
	Status   statusfsm.Status
	Terminal bool
	Count    int
}

type queueRow struct {
	Stream, Consumer    string
	Pending, AckPending uint64
	Missing             bool
}

// overview renders the overview's data with the named template: the
// whole page, or "counts", the part the page fetches again when a status
// event comes.
func (s *Server) overview(tpl string) func(http.ResponseWriter, *request) {
	return func(w http.ResponseWriter, r *request) {
		if _, err := query(r.Request); err != nil {
			s.fail(w, r.Request, http.StatusBadRequest, err)
			return
		}
		vs, ok := s.scoped(w, r)
		if !ok {
			return
		}
		d, err := s.overviewData(r, vs)
		if err != nil {
			s.fail(w, r.Request, http.StatusServiceUnavailable, err)
			return
		}
		s.render(w, r, tpl, d)
	}
}

// overviewData is the overview of vs, the views the token may see.
func (s *Server) overviewData(r *request, vs []board.View) (*overviewData, error) {
	ctx := r.Context()
	d := &overviewData{Total: len(vs)}
	byStatus := map[statusfsm.Status]int{}
	byPhase := map[statusfsm.Phase]int{}
	for _, v := range vs {
		byStatus[v.Status]++
		byPhase[s.cfg.Table.Info(v.Status).Phase]++
		if !v.Terminal {
			d.InFlight++
		}
	}
	seen := map[statusfsm.Status]bool{}
	phases := []statusfsm.Phase{}
	for _, in := range s.cfg.Table.Statuses() {
		seen[in.Name] = true
		if n := byStatus[in.Name]; n > 0 {
			d.Statuses = append(d.Statuses, countRow{Phase: in.Phase, Status: in.Name, Terminal: in.Terminal, Count: n})
		}
		if len(phases) == 0 || phases[len(phases)-1] != in.Phase {
			phases = append(phases, in.Phase)
		}
	}
	for st, n := range byStatus {
		if !seen[st] {
			d.Statuses = append(d.Statuses, countRow{Phase: "unknown", Status: st, Count: n})
		}
	}
	phases = append(phases, "unknown")
	done := map[statusfsm.Phase]bool{}
	for _, p := range phases {
		if n := byPhase[p]; n > 0 && !done[p] {
			d.Phases = append(d.Phases, countRow{Phase: p, Count: n})
		}
		done[p] = true
	}
	for _, q := range []struct{ stream, consumer string }{{streams.Submissions, streams.ConsumerWorker}, {streams.Status, streams.ConsumerPoller}} {
		d.Queues = append(d.Queues, s.queue(ctx, q.stream, q.consumer))
	}
	letters, err := s.letters(ctx, r)
	if err != nil {
		return nil, err
	}
	d.DeadLetters = len(letters)
	if s.cfg.Availability != nil {
		d.Availability = s.availability(ctx)
	}
	if s.cfg.Keys != nil {
		d.HasKeys = true
		for _, k := range s.cfg.Keys(ctx, s.cfg.Clock(), keyWindow).Expiring {
			if k.Taxpayer == "" || r.who.Allows(k.Taxpayer) {
				d.Keys = append(d.Keys, k)
			}
		}
	}
	return d, nil
}

// queue is a work queue's depth and its consumer's lag: messages not yet
// delivered, and delivered but not yet acknowledged.
func (s *Server) queue(ctx context.Context, stream, consumer string) queueRow {
	q := queueRow{Stream: stream, Consumer: consumer}
	c, err := s.cfg.JS.Consumer(ctx, stream, consumer)
	if err != nil {
		q.Missing = true
		return q
	}
	info, err := c.Info(ctx)
	if err != nil {
		q.Missing = true
		return q
	}
	q.Pending, q.AckPending = info.NumPending, uint64(info.NumAckPending)
	return q
}

// letters are the dead letters of the forms who may see; a letter whose
// form the board does not know is shown to a token of every taxpayer
// only.
func (s *Server) letters(ctx context.Context, r *request) ([]delivery.Letter, error) {
	all, err := delivery.DeadLetters(ctx, s.cfg.JS)
	if err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
		return nil, err
	}
	if r.who.All {
		return all, nil
	}
	var out []delivery.Letter
	for _, l := range all {
		v, err := s.cfg.Board.Get(ctx, l.ID)
		if err == nil && r.who.Allows(v.Taxpayer) {
			out = append(out, l)
		} else if err != nil && !errors.Is(err, board.ErrNotFound) && streams.CheckID(l.ID) == nil {
			return nil, err
		}
	}
	return out, nil
}

// AvailabilityWindow is the period the overview's availability index
// covers, ending now.
const AvailabilityWindow = 24 * time.Hour

// availability is the index of each service the gateway answered in the
// last AvailabilityWindow, "SONO_FNO_SEND 99.95 % · …"; empty when none
// was measured. A failure to read it is logged, not shown as an outage.
func (s *Server) availability(ctx context.Context) string {
	now := s.cfg.Clock()
	res, err := s.cfg.Availability(ctx, now.Add(-AvailabilityWindow), now)
	if err != nil {
		s.cfg.Log.Warn("dashboard: availability", "err", err)
		return ""
	}
	var parts []string
	for _, r := range res {
		if r.Index != nil {
			parts = append(parts, fmt.Sprintf("%s %.2f %%", r.Service, *r.Index))
		}
	}
	return strings.Join(parts, " · ")
}
