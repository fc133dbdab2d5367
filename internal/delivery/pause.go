package delivery

import (
	"context"
	"time"

	"github.com/salyq/salyq/pkg/envelope"
)

// inBreak is the decision about a delivery made during a planned break:
// wait until its end, spending no attempt. False outside breaks.
func (w *Worker) inBreak(last bool) (Action, bool) {
	now := w.cfg.Clock()
	end := w.cfg.Policy.Breaks.Next(now)
	if !end.After(now) {
		return Action{}, false
	}
	return Decide(Input{BreakEnd: end, Now: now, LastDelivery: last}, w.cfg.Policy), true
}

// sleepThroughBreak waits, if the clock is in a planned break, until it
// is over, logging its start and end; false if ctx ended first.
func (w *Worker) sleepThroughBreak(ctx context.Context) bool {
	breaks := w.cfg.Policy.Breaks
	now := w.cfg.Clock()
	if !breaks.In(now) {
		return true
	}
	w.cfg.Log.Info("planned break: sending paused", "until", breaks.Next(now).In(envelope.Almaty()).Format(time.RFC3339))
	for now := w.cfg.Clock(); breaks.In(now); now = w.cfg.Clock() {
		if !w.wait(ctx, breaks.Next(now).Sub(now)) {
			return false
		}
	}
	w.cfg.Log.Info("planned break over: sending resumed")
	return true
}

// awaitBreak waits until a planned break begins (true) or ctx ends.
func (w *Worker) awaitBreak(ctx context.Context) bool {
	if w.cfg.Policy.Breaks.Empty() {
		<-ctx.Done()
		return false
	}
	for {
		now := w.cfg.Clock()
		start, ok := w.cfg.Policy.Breaks.NextStart(now)
		if ok && !start.After(now) {
			return true
		}
		d := w.cfg.BreakCheck
		if ok {
			d = start.Sub(now)
		}
		if !w.wait(ctx, d) {
			return false
		}
	}
}

// wait sleeps for d, at most BreakCheck, so that a clock set forward is
// noticed; false if ctx ended first.
func (w *Worker) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(min(max(d, 0), w.cfg.BreakCheck))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
