package poller

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// Config configures a Poller.
type Config struct {
	JS      jetstream.JetStream
	Store   *statusfsm.Store
	Gateway *gateway.Client
	Keys    ncakey.Candidates
	// CheckKey, when set, passes over a taxpayer's key whose certificate
	// it refuses (revoked) when signing status requests.
	CheckKey ncakey.CertCheck
	Board    *board.Board
	// Concurrency bounds polls in flight.
	Concurrency int
	// Tick is how often the schedule is looked at when nothing was due.
	Tick time.Duration
	// Lease hides a claimed form from other pollers while it is polled.
	Lease time.Duration
	Clock func() time.Time
	Log   *slog.Logger
}

// Poller drives the status state machine.
type Poller struct {
	cfg  Config
	cons jetstream.Consumer
}

// New creates or updates the durable receipt consumer.
func New(ctx context.Context, cfg Config) (*Poller, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 16
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 250 * time.Millisecond
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cons, err := cfg.JS.CreateOrUpdateConsumer(ctx, streams.Receipts, jetstream.ConsumerConfig{
		Durable:       streams.ConsumerPoller,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxDeliver:    streams.MaxDeliverPoller,
		FilterSubject: streams.ReceiptPrefix + ">",
	})
	if err != nil {
		return nil, fmt.Errorf("poller: consumer: %w", err)
	}
	return &Poller{cfg: cfg, cons: cons}, nil
}

// Run consumes receipts and polls until ctx is cancelled, then lets the
// polls in flight finish.
func (p *Poller) Run(ctx context.Context) error {
	cc, err := p.cons.Consume(func(msg jetstream.Msg) { p.receipt(ctx, msg) })
	if err != nil {
		return fmt.Errorf("poller: %w", err)
	}
	defer cc.Stop()
	work := context.WithoutCancel(ctx)
	sem := make(chan struct{}, p.cfg.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		forms, err := p.cfg.Store.Claim(ctx, p.cfg.Clock(), p.cfg.Concurrency, p.cfg.Lease)
		if err != nil && ctx.Err() == nil {
			p.cfg.Log.Warn("claiming due forms", "err", err)
		}
		for _, f := range forms {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				pctx, cancel := context.WithTimeout(work, p.cfg.Lease)
				defer cancel()
				p.poll(pctx, f)
			}()
		}
		if len(forms) > 0 {
			timer.Reset(0)
		} else {
			timer.Reset(p.cfg.Tick)
		}
	}
}

// poll asks SONO about one form and applies the answer.
func (p *Poller) poll(ctx context.Context, f statusfsm.Form) {
	log := p.cfg.Log.With("id", f.ID)
	var history []statusfsm.Event
	key, err := ncakey.Choose(ctx, p.cfg.Keys, p.cfg.CheckKey, f.Taxpayer, p.cfg.Clock())
	if err != nil {
		log.Warn("no key to sign the status request", "err", err)
	} else {
		o := p.cfg.Gateway.Status(ctx, envelope.StatusRequest{RequestID: f.RequestID}, key.Signer())
		switch {
		case o.Class == gateway.Success && o.Status.Error == nil:
			for _, h := range o.Status.History {
				history = append(history, statusfsm.Event{Status: statusfsm.Status(h.Status), At: h.Date, Message: h.Message})
			}
		case o.Class == gateway.Success:
			log.Warn("SONO does not know the request id", "requestId", f.RequestID)
		default:
			log.Debug("status poll failed", "outcome", o.String())
		}
	}
	// An empty history is a poll without news: the backoff step grows.
	entries, err := p.cfg.Store.Apply(ctx, f.ID, statusfsm.SourcePoll, history)
	if err != nil {
		log.Warn("applying status history", "err", err)
		return
	}
	log.Debug("polled", "history", len(history), "new", len(entries))
	if len(entries) == 0 {
		return
	}
	cur, err := p.cfg.Store.Get(f.ID)
	if err != nil {
		return
	}
	var evs []*board.Event
	for _, e := range entries {
		evs = append(evs, &board.Event{ID: cur.ID, From: string(e.From), To: string(e.To), At: e.At, Message: e.Message, Flagged: e.Flags != 0 || e.Late})
	}
	info := p.cfg.Store.Table().Info(cur.State)
	v := board.View{ID: cur.ID, Taxpayer: cur.Taxpayer, Form: cur.FormCode, Period: cur.Period, Kind: cur.Kind,
		Status: string(cur.State), Terminal: info.Terminal, Outcome: info.Outcome, RequestID: cur.RequestID,
		Reason: cur.Message, Flagged: cur.Flags != 0, Updated: p.cfg.Clock(), Seq: cur.Seq}
	if err := p.cfg.Board.Advance(ctx, v, evs); err != nil {
		log.Warn("publishing status", "err", err)
	}
}
