package poller

import (
	"context"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// reconcileBatch is how many forms one store transaction restores.
const reconcileBatch = 256

// reconcile brings the store up to the board before this poller starts
// working: every submission the board shows with a request id that the
// store does not know, or knows at a lower sequence, is restored at the
// board's state (terminal ones too, so the store agrees with the board
// for every form), and the pollable ones are due at once. The board is
// the copy of the poller's state that lives in JetStream, so a store that
// was deleted, lost with its disk, or left behind while another poller
// was active is rebuilt here; the sent events that carried their
// receipts were acknowledged, or have aged out, by then. The notices on the board come along, so that the next poll does
// not publish them again. Forms the store knows at the board's sequence
// keep their schedule; where the board is behind the store (a publish
// lost with a poller's life, a view written over by another writer), the
// store's newest change is published again.
func (p *Poller) reconcile(ctx context.Context) error {
	start := time.Now()
	var seen, restored int
	batch := make([]statusfsm.Form, 0, reconcileBatch)
	flush := func() error {
		n, err := p.cfg.Store.Restore(ctx, batch...)
		restored += n
		batch = batch[:0]
		return err
	}
	err := p.cfg.Board.Views(ctx, func(v board.View) error {
		seen++
		if v.RequestID == "" || v.Status == "" {
			return nil // not delivered yet: nothing to poll, and the worker owns it
		}
		if err := statusfsm.CheckID(v.ID); err != nil {
			p.cfg.Log.Warn("board record with an id the store cannot keep: not restored", "id", v.ID[:min(len(v.ID), 80)], "err", err)
			return nil
		}
		batch = append(batch, formOf(v))
		if len(batch) == reconcileBatch {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("poller: reconcile: %w", err)
	}
	p.cfg.Log.Info("store reconciled with the board", "records", seen, "restored", restored,
		"took", time.Since(start).Round(time.Millisecond))
	return nil
}

// reconcileUntilDone retries reconcile with capped backoff until it
// succeeds or ctx ends: a poller must not poll, nor take receipts, from
// a store it could not bring up to date.
func (p *Poller) reconcileUntilDone(ctx context.Context) error {
	b := backoff.NewExponentialBackOff(backoff.WithInitialInterval(100*time.Millisecond),
		backoff.WithMaxInterval(10*time.Second), backoff.WithMaxElapsedTime(0))
	for {
		err := p.reconcile(ctx)
		if err == nil || ctx.Err() != nil {
			return err
		}
		d := b.NextBackOff()
		p.cfg.Log.Warn("reconciling the store with the board", "err", err, "retryIn", d.Round(time.Millisecond))
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// formOf is what the board knows of a form, as the store keeps it.
func formOf(v board.View) statusfsm.Form {
	f := statusfsm.Form{
		ID: v.ID, State: v.Status, RequestID: v.RequestID, Taxpayer: v.Taxpayer,
		FormCode: v.Form, Period: v.Period, Kind: v.Kind, Message: v.Reason,
		Seq: v.Seq, LastEventAt: v.SonoAt,
	}
	for _, n := range v.Notices {
		f.Notices = append(f.Notices, statusfsm.Notice{Number: n.Number, Type: n.Type, At: n.At, Text: n.Text})
	}
	if v.Terminal {
		// The board's last change of a final form: its final status, or
		// a notice after it; the notice watch counts from there.
		f.Final = v.Updated
	}
	if v.Flagged {
		// The board keeps that a form is flagged, not why.
		f.Flags = statusfsm.FlagUnexpected
	}
	return f
}
