package delays

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// Defaults of Config.
const (
	// DefaultJournalAfter: seed 003 §30, delays over one hour are
	// recorded with their cause.
	DefaultJournalAfter = time.Hour
	// DefaultTellAfter: seed 003 §31, delays over 24 hours are told to
	// the user.
	DefaultTellAfter = 24 * time.Hour
	// DefaultEvery is how often Run sweeps.
	DefaultEvery = time.Minute
)

// Config configures a Watch.
type Config struct {
	Board *board.Board
	// Journal receives the delay entries; Exchanges reads a form's
	// exchanges to tell the cause.
	Journal   *journal.Writer
	Exchanges *journal.Reader
	// Clock is the watch's time (injected in tests); nil: time.Now.
	Clock func() time.Time
	// JournalAfter and TellAfter are the delays that are journaled and
	// told; defaults DefaultJournalAfter and DefaultTellAfter.
	JournalAfter, TellAfter time.Duration
	// Every is how often Run sweeps; default DefaultEvery.
	Every time.Duration
	// Breaks are the gateway's planned breaks: a form waiting through
	// one waits for it.
	Breaks breaks.Schedule
	// Active tells whether this process should sweep now (the poller
	// holds its lease); nil: always.
	Active func() bool
	Log    *slog.Logger
}

// Watch finds delayed forms on the board.
type Watch struct {
	cfg Config
}

// New returns a watch for cfg.
func New(cfg Config) (*Watch, error) {
	if cfg.Board == nil || cfg.Journal == nil || cfg.Exchanges == nil {
		return nil, fmt.Errorf("%w: a board and the journal are required", ErrConfig)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.JournalAfter <= 0 {
		cfg.JournalAfter = DefaultJournalAfter
	}
	if cfg.TellAfter <= 0 {
		cfg.TellAfter = DefaultTellAfter
	}
	if cfg.Every <= 0 {
		cfg.Every = DefaultEvery
	}
	if cfg.Active == nil {
		cfg.Active = func() bool { return true }
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Watch{cfg: cfg}, nil
}

// marks is the board record's Delays section: when the form was
// submitted, as the watch reckoned it once it was an hour late, and when
// its delay was journaled and told.
type marks struct {
	Since     time.Time `json:"since"`
	Cause     string    `json:"cause,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Journaled time.Time `json:"journaled,omitzero"`
	Told      time.Time `json:"told,omitzero"`
}

// Swept is what one sweep did.
type Swept struct {
	// Waiting counts the forms not yet accepted; Journaled and Told the
	// delays journaled and told in this sweep; Cleared the Delayed flags
	// taken off accepted forms.
	Waiting, Journaled, Told, Cleared int
}

// Run sweeps every Every while Active until ctx ends. A failed sweep is
// logged and the next one tries again. While active it follows the
// board (index), so each sweep looks at the forms still waiting, not at
// every record the board keeps: reading months of finished records every
// minute would cost more as the board grows.
func (w *Watch) Run(ctx context.Context) error {
	t := time.NewTicker(w.cfg.Every)
	defer t.Stop()
	var f *following
	defer func() { f.stop() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if !w.cfg.Active() {
			f.stop()
			f = nil
			continue
		}
		if f == nil || f.ended() {
			f.stop()
			f = w.follow(ctx)
		}
		states, ready := f.idx.snapshot()
		if !ready {
			continue // the board's records are still coming in
		}
		s, err := w.sweepStates(ctx, states)
		if err != nil && ctx.Err() == nil {
			w.cfg.Log.Warn("sweeping for delayed forms", "err", err)
		}
		if s.Journaled+s.Told > 0 {
			w.cfg.Log.Info("delayed forms", "waiting", s.Waiting, "journaled", s.Journaled, "told", s.Told)
		}
	}
}

// sweepStates sweeps the forms of an index: it reloads only those
// something is due for, and handles them as they are now.
func (w *Watch) sweepStates(ctx context.Context, states map[string]state) (Swept, error) {
	now := w.cfg.Clock()
	var s Swept
	var due []board.Record
	var errs []error
	for id, st := range states {
		if !st.accepted {
			s.Waiting++
		}
		if !w.due(st, now) {
			continue
		}
		r, _, err := w.cfg.Board.Load(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if r.View != nil && w.due(stateOf(r), now) {
			due = append(due, r)
		}
	}
	return s, errors.Join(append(errs, w.handleAll(ctx, due, now, &s))...)
}

// Sweep looks at every form on the board once: it journals the delays
// past JournalAfter and tells those past TellAfter that were not yet, and
// takes the Delayed flag off forms accepted meanwhile. It is Run's sweep
// over an index read from the board on the spot, for a one-off sweep.
func (w *Watch) Sweep(ctx context.Context) (Swept, error) {
	x := &index{states: map[string]state{}}
	err := w.cfg.Board.Records(ctx, func(r board.Record) error {
		x.put(r.View.ID, &r)
		return nil
	})
	if err != nil {
		return Swept{}, fmt.Errorf("delays: %w", err)
	}
	states, _ := x.snapshot()
	return w.sweepStates(ctx, states)
}

// state is what decides whether something is due for a form.
type state struct {
	// accepted: SONO took the form, or it is out of the watch's hands;
	// flagged: its view carries Delayed.
	accepted, flagged bool
	// since is when its wait began (zero: unknown); journaled and told
	// are its marks.
	since           time.Time
	journaled, told bool
}

func stateOf(r board.Record) state {
	m := marksOf(r)
	st := state{accepted: accepted(*r.View), flagged: r.View.Delayed != nil, since: m.Since,
		journaled: !m.Journaled.IsZero(), told: !m.Told.IsZero()}
	if st.since.IsZero() {
		st.since = submitted(r)
	}
	return st
}

// due reports whether something is due at now for a form in state st: a
// delay to journal or to tell, or a view whose flag does not match the
// marks (rewritten by the worker, or kept by a replay, which starts the
// delay over); for an accepted form, a flag to take off.
func (w *Watch) due(st state, now time.Time) bool {
	if st.accepted {
		return st.flagged
	}
	if st.since.IsZero() {
		return false // no time on the record: its delay cannot be told
	}
	late := now.Sub(st.since)
	return (late >= w.cfg.JournalAfter && !st.journaled) || (late >= w.cfg.TellAfter && !st.told) || st.told != st.flagged
}

// handleAll handles the forms due. One form that cannot be handled (its
// journal unreadable) holds up no other: the next sweep tries it again.
func (w *Watch) handleAll(ctx context.Context, due []board.Record, now time.Time, s *Swept) error {
	var errs []error
	for _, r := range due {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := w.handle(ctx, r, now, s); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// handle does what is due for the form of r at now.
func (w *Watch) handle(ctx context.Context, r board.Record, now time.Time, s *Swept) error {
	v := *r.View
	if accepted(v) {
		cleared := false
		err := w.cfg.Board.Update(ctx, v.ID, func(cur *board.Record) bool {
			cleared = cur.View != nil && cur.View.Delayed != nil && accepted(*cur.View)
			if cleared {
				cur.View.Delayed = nil
			}
			return cleared
		})
		if cleared && err == nil {
			s.Cleared++
		}
		return err
	}
	m := marksOf(r)
	if m.Since.IsZero() {
		m.Since = submitted(r).In(envelope.Almaty())
	}
	late := now.Sub(m.Since)
	if (late >= w.cfg.JournalAfter && m.Journaled.IsZero()) || (late >= w.cfg.TellAfter && m.Told.IsZero()) {
		cause, err := w.cause(ctx, r)
		if err != nil {
			return err
		}
		m.Cause, m.Reason = cause.Key, cause.Text
		if m.Journaled.IsZero() {
			// Journaled before it is marked: a crash in between journals
			// it again, within the duplicate window once.
			if err := w.cfg.Journal.Write(ctx, journal.Record{
				At: now.In(envelope.Almaty()), ID: v.ID, Taxpayer: v.Taxpayer, Service: journal.ServiceDelay,
				Outcome: journal.OutcomeDelayed, Code: cause.Key, Reason: cause.Text, Since: m.Since,
			}); err != nil {
				return fmt.Errorf("delays: %s: %w", v.ID, err)
			}
			m.Journaled = now
			s.Journaled++
			w.cfg.Log.Warn("form not accepted by SONO within the hour", "id", v.ID, "since", m.Since, "cause", cause.Key, "reason", cause.Text)
		}
		if late >= w.cfg.TellAfter && m.Told.IsZero() {
			d := &board.Delay{Since: m.Since, Cause: cause.Key, Reason: cause.Text}
			ev := &board.Event{ID: v.ID, To: v.Status, At: now.In(envelope.Almaty()), Kind: board.EventDelayed, Delay: d,
				Message: fmt.Sprintf("not accepted by SONO since %s: %s", m.Since.Format(time.DateTime+" -07:00"), cause.Text)}
			if err := w.cfg.Board.Publish(ctx, v.Taxpayer, ev); err != nil {
				return fmt.Errorf("delays: %w", err)
			}
			m.Told = now
			s.Told++
			w.cfg.Log.Warn("form not accepted by SONO within 24 hours: told", "id", v.ID, "since", m.Since, "cause", cause.Key)
		}
	}
	return w.mark(ctx, v.ID, m)
}

// mark stores m in the form's record and, once told, flags its view,
// unless the form was accepted meanwhile.
func (w *Watch) mark(ctx context.Context, id string, m marks) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return w.cfg.Board.Update(ctx, id, func(cur *board.Record) bool {
		cur.Delays = data
		switch {
		case cur.View == nil:
		case m.Told.IsZero():
			cur.View.Delayed = nil
		case !accepted(*cur.View):
			cur.View.Delayed = &board.Delay{Since: m.Since, Cause: m.Cause, Reason: m.Reason}
		}
		return true
	})
}

// cause reads the form's exchanges and tells the cause of its delay.
func (w *Watch) cause(ctx context.Context, r board.Record) (Cause, error) {
	recs, err := w.cfg.Exchanges.BySubmission(ctx, r.View.Taxpayer, r.View.ID)
	if err != nil && !errors.Is(err, journal.ErrNotFound) {
		return Cause{}, fmt.Errorf("delays: %s: %w", r.View.ID, err)
	}
	return CauseOf(w.cfg.Clock(), w.cfg.Breaks, deliveryOf(r), recs), nil
}

// accepted reports whether SONO has taken the form (it has a request
// id) or it is out of the delay watch's hands: failed for good, or in a
// status past the product's queued and sending.
func accepted(v board.View) bool {
	if v.RequestID != "" || v.Terminal {
		return true
	}
	switch v.Status {
	case "", statusfsm.StateQueued, statusfsm.StateSending:
		return false
	}
	return true
}

// submitted is when the form of r was submitted, as near as the board
// tells: the earlier of its view's time (the intake's, until a worker
// writes one) and the delivery journal's first attempt.
func submitted(r board.Record) time.Time {
	t := r.View.Updated
	if d := deliveryOf(r); !d.FirstAttempt.IsZero() && (t.IsZero() || d.FirstAttempt.Before(t)) {
		t = d.FirstAttempt
	}
	return t
}

func deliveryOf(r board.Record) delivery.Record {
	var d delivery.Record
	if len(r.Delivery) > 0 {
		_ = json.Unmarshal(r.Delivery, &d) // unreadable: nothing known
	}
	return d
}

func marksOf(r board.Record) marks {
	var m marks
	if len(r.Delays) > 0 {
		_ = json.Unmarshal(r.Delays, &m) // unreadable: start over
	}
	return m
}
