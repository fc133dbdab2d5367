package poller

import (
	"context"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// Publishing the outbox: how many forms one store read takes, and how a
// failing form, and a failing round, back off.
const (
	publishBatch      = 64
	publishRetryFirst = 100 * time.Millisecond
	publishRetryMax   = 10 * time.Second
)

// publisher drains the store's outbox to the board (salyq_state) and the
// status stream (SALYQ_STATUS): every change the store recorded is
// delivered at least once, and deleted from the outbox only after both
// are stored. A repeat is harmless: the board keeps the highest Seq, and
// an event carries its Seq (and a Nats-Msg-Id) for subscribers.
type publisher struct {
	p *Poller
	// retry holds the forms whose last publish failed, each with its own
	// backoff, so one form that keeps failing does not hold up the others.
	retry map[string]*formRetry
	// round backs off whole rounds while publishing fails (JetStream
	// unreachable), so an outage costs one attempt per backoff step, not
	// one per pending form.
	round *backoff.ExponentialBackOff
}

type formRetry struct {
	b        *backoff.ExponentialBackOff
	at       time.Time
	attempts int
}

func newBackoff() *backoff.ExponentialBackOff {
	return backoff.NewExponentialBackOff(backoff.WithInitialInterval(publishRetryFirst),
		backoff.WithMaxInterval(publishRetryMax), backoff.WithMaxElapsedTime(0))
}

// publish runs the publisher until ctx ends. It drains the outbox when
// kicked (a change was recorded), every Tick, and after a failure once
// the round's backoff has passed.
func (p *Poller) publish(ctx context.Context) {
	pb := &publisher{p: p, retry: map[string]*formRetry{}, round: newBackoff()}
	delay := time.Duration(0)
	healthy := true
	for {
		t := time.NewTimer(delay)
		kick := p.kick
		if !healthy {
			kick = nil // a failing round waits its backoff out
		}
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-kick:
		}
		t.Stop()
		healthy = pb.drain(ctx)
		if healthy {
			pb.round.Reset()
			delay = p.cfg.Tick
		} else {
			delay = pb.round.NextBackOff()
		}
	}
}

// drain publishes pending changes until the outbox holds only forms in
// backoff; it stops at the first failure and reports whether there was
// none.
func (pb *publisher) drain(ctx context.Context) bool {
	p := pb.p
	for ctx.Err() == nil {
		now := time.Now()
		pending, err := p.cfg.Store.Pending(publishBatch, func(id string) bool {
			r := pb.retry[id]
			return r != nil && now.Before(r.at)
		})
		if err != nil {
			p.cfg.Log.Warn("reading the outbox", "err", err)
			return false
		}
		var done []statusfsm.Published
		for _, pd := range pending {
			if err := pb.deliver(ctx, pd); err != nil {
				pb.done(ctx, done)
				if ctx.Err() != nil {
					return true
				}
				pb.failed(pd, err)
				return false
			}
			delete(pb.retry, pd.Form.ID)
			done = append(done, statusfsm.Published{ID: pd.Form.ID, UpTo: pd.Form.Seq})
		}
		if !pb.done(ctx, done) {
			return false
		}
		if len(pending) < publishBatch {
			return true
		}
	}
	return true
}

// done takes the published changes of a round out of the outbox, in one
// transaction, and reports whether it could. Until then they are pending
// and are published again, which is harmless.
func (pb *publisher) done(ctx context.Context, marks []statusfsm.Published) bool {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pb.p.cfg.PublishTimeout)
	defer cancel()
	if err := pb.p.cfg.Store.DoneAll(dctx, marks...); err != nil {
		pb.p.cfg.Log.Warn("clearing the outbox", "forms", len(marks), "err", err)
		return false
	}
	return true
}

// failed schedules the next attempt of one form and logs this one.
func (pb *publisher) failed(pd statusfsm.Pending, err error) {
	r := pb.retry[pd.Form.ID]
	if r == nil {
		r = &formRetry{b: newBackoff()}
		pb.retry[pd.Form.ID] = r
	}
	r.attempts++
	d := r.b.NextBackOff()
	r.at = time.Now().Add(d)
	pb.p.cfg.Log.Warn("publishing a status change failed, will retry", "id", pd.Form.ID, "status", pd.Form.State,
		"seq", pd.Form.Seq, "attempt", r.attempts, "retryIn", d.Round(time.Millisecond), "err", err)
}

// deliver publishes one form's pending changes and its view; drain takes
// them out of the outbox with the round's others.
func (pb *publisher) deliver(ctx context.Context, pd statusfsm.Pending) error {
	p := pb.p
	f := pd.Form
	var evs []*board.Event
	var moves []statusfsm.Entry
	for _, e := range pd.Entries {
		if e.Notice != nil {
			evs = appendMoves(evs, f.ID, moves)
			moves = moves[:0]
			n := board.NoticeOf(*e.Notice)
			evs = append(evs, &board.Event{ID: f.ID, Kind: board.EventNotice, To: e.To, At: n.At, Notice: &n, Seq: e.Seq})
			continue
		}
		if e.Late {
			// Recorded for the history; the form did not move.
			continue
		}
		if e.Source == statusfsm.SourceReceipt && e.To == statusfsm.StateSent {
			// The worker's sent event, which carried the receipt, is
			// this change's event.
			continue
		}
		moves = append(moves, e)
	}
	evs = appendMoves(evs, f.ID, moves)
	dctx, cancel := context.WithTimeout(ctx, p.cfg.PublishTimeout)
	defer cancel()
	return p.cfg.Board.Advance(dctx, viewOf(p.cfg.Store.Table(), f), evs)
}

// appendMoves appends to evs the event of consecutive status changes of
// form id: one event, however many changes (board.Event's Steps). A
// first poll often finds a form final with seven new SONO statuses;
// one event instead of seven is six fsync'd writes fewer.
func appendMoves(evs []*board.Event, id string, moves []statusfsm.Entry) []*board.Event {
	if len(moves) == 0 {
		return evs
	}
	last := moves[len(moves)-1]
	ev := &board.Event{ID: id, From: moves[0].From, To: last.To, At: last.At, Message: last.Message, Seq: last.Seq}
	for _, e := range moves {
		ev.Flagged = ev.Flagged || e.Flags != 0
		if len(moves) > 1 {
			ev.Steps = append(ev.Steps, board.Step{To: e.To, At: e.At, Message: e.Message, Flagged: e.Flags != 0, Seq: e.Seq})
		}
	}
	return append(evs, ev)
}

// viewOf is the board's view of a form as the store has it.
func viewOf(t *statusfsm.Table, f statusfsm.Form) board.View {
	info := t.Info(f.State)
	var notices []board.Notice
	for _, n := range f.Notices {
		notices = append(notices, board.NoticeOf(n))
	}
	return board.View{ID: f.ID, Taxpayer: f.Taxpayer, Form: f.FormCode, Period: f.Period, Kind: f.Kind,
		Status: f.State, Terminal: info.Terminal, Outcome: info.Outcome, RequestID: f.RequestID,
		Reason: f.Message, Flagged: f.Flags != 0, Updated: f.Updated, Seq: f.Seq, SonoAt: f.LastEventAt,
		Notices: notices, Registration: f.Registration}
}
