package poller

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/settle"
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
	// Leases is the bucket of the lease that makes one poller of several
	// the active one (streams.BucketLeases).
	Leases jetstream.KeyValue
	// Name identifies this poller in the lease; unique per process.
	Name string
	// ActiveLease is how long the active poller keeps the lease without
	// renewing it (renewals come every third of it), and so how long a
	// standby waits before taking over from a poller that died; default
	// DefaultActiveLease.
	ActiveLease time.Duration
	// ReleaseOnStop gives the lease up when Run ends with its context, so
	// that a standby takes over at once instead of after ActiveLease.
	ReleaseOnStop bool
	// ThrottleDelay and MaintenanceDelay are the waits after a poll the
	// gateway throttled or turned away for maintenance without a
	// Retry-After; default 1s and 5m (the delivery policy's).
	ThrottleDelay, MaintenanceDelay time.Duration
	// PublishTimeout bounds one attempt to publish a form's changes to
	// the board and SALYQ_STATUS; default 10s. A failed attempt is
	// retried with backoff.
	PublishTimeout time.Duration
	// Concurrency bounds polls in flight.
	Concurrency int
	// Tick is how often the schedule is looked at when nothing was due.
	Tick time.Duration
	// Breaks are the gateway's planned breaks: the gateway takes no
	// request then, status queries included, so no form is polled
	// through them (receipts are still recorded).
	Breaks breaks.Schedule
	// Lease hides a claimed form from other pollers while it is polled.
	Lease time.Duration
	Clock func() time.Time
	// LeaseClock measures the ActiveLease; it must carry a monotonic
	// reading (nil: time.Now).
	LeaseClock func() time.Time
	Log        *slog.Logger
	// Metrics hears of polls, status changes, the lease and settled
	// receipts; nil: nobody.
	Metrics Metrics
	// Exchanges records every status request and its answer in the
	// exchange journal; nil: not recorded.
	Exchanges *journal.Writer
}

// Metrics is what a poller reports to (internal/metrics).
type Metrics interface {
	settle.Observer
	// Polled: one status poll took d.
	Polled(d time.Duration)
	// Transition: the store recorded a move to status.
	Transition(status string)
	// Notice: the store recorded a notice of the tax office of type typ.
	Notice(typ string)
	// PollerActive: this poller holds the lease, or no longer does.
	PollerActive(active bool)
}

// noMetrics reports nowhere.
type noMetrics struct{}

func (noMetrics) Settled(string, string)      {}
func (noMetrics) DeadLettered(string, string) {}
func (noMetrics) Polled(time.Duration)        {}
func (noMetrics) Notice(string)               {}
func (noMetrics) Transition(string)           {}
func (noMetrics) PollerActive(bool)           {}

// DefaultActiveLease is the default Config.ActiveLease.
const DefaultActiveLease = 15 * time.Second

// Poller drives the status state machine.
type Poller struct {
	cfg     Config
	cons    jetstream.Consumer
	settler *settle.Settler
	lease   *lease
	// kick wakes the outbox publisher when a change was recorded.
	kick chan struct{}
	// holding is set while this poller holds the lease.
	holding atomic.Bool
	// inBreak is set while pollDue waits out a planned break.
	inBreak bool
}

// Active reports whether this poller holds the lease, i.e. is the one
// consuming receipts and polling; the others stand by.
func (p *Poller) Active() bool { return p.holding.Load() }

// New creates or updates the durable consumer of status events.
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
	if cfg.ActiveLease <= 0 {
		cfg.ActiveLease = DefaultActiveLease
	}
	if cfg.ThrottleDelay <= 0 {
		cfg.ThrottleDelay = time.Second
	}
	if cfg.MaintenanceDelay <= 0 {
		cfg.MaintenanceDelay = 5 * time.Minute
	}
	if cfg.PublishTimeout <= 0 {
		cfg.PublishTimeout = 10 * time.Second
	}
	if cfg.LeaseClock == nil {
		cfg.LeaseClock = time.Now
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	if cfg.Leases == nil || cfg.Name == "" {
		return nil, fmt.Errorf("poller: %w: a lease bucket and a name are required", ErrConfig)
	}
	// New events only: whatever was filed before the consumer existed is
	// on the board, which the poller reconciles with before it consumes.
	// All of history would also bring back finished forms the store may
	// no longer hold.
	cons, err := cfg.JS.CreateOrUpdateConsumer(ctx, streams.Status, jetstream.ConsumerConfig{
		Durable:       streams.ConsumerPoller,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxDeliver:    streams.MaxDeliverPoller,
		FilterSubject: streams.StatusPrefix + ">",
		DeliverPolicy: jetstream.DeliverNewPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("poller: consumer: %w", err)
	}
	return &Poller{
		cfg: cfg, cons: cons, kick: make(chan struct{}, 1),
		lease: &lease{kv: cfg.Leases, holder: cfg.Name, period: cfg.ActiveLease, now: cfg.LeaseClock, log: cfg.Log},
		settler: settle.New(settle.Config{JS: cfg.JS, MaxDeliver: streams.MaxDeliverPoller, Log: cfg.Log,
			Consumer: "poller", Observer: cfg.Metrics}),
	}, nil
}

// Run works as one of several pollers until ctx is cancelled: it stands
// by until it holds the lease (lease.go), then, while it holds it,
// reconciles its store with the board (reconcile.go), publishes the
// store's outbox (publish.go), consumes receipts and polls. Losing the
// lease stops all of that at once and it stands by again. When ctx ends
// it lets the polls in flight finish and, with ReleaseOnStop, gives the
// lease up.
func (p *Poller) Run(ctx context.Context) error {
	p.cfg.Log.Info("poller started", "name", p.cfg.Name, "concurrency", p.cfg.Concurrency, "lease", p.cfg.ActiveLease)
	defer p.cfg.Log.Info("poller stopped", "name", p.cfg.Name)
	for {
		h, err := p.lease.acquire(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil // ctx ended while standing by
			}
			return fmt.Errorf("poller: %w", err)
		}
		p.holding.Store(true)
		p.cfg.Metrics.PollerActive(true)
		actx, stepDown := context.WithCancel(ctx)
		type end struct {
			h   held
			err error
		}
		ended := make(chan end, 1)
		go func() {
			h, err := p.lease.hold(actx, h)
			p.holding.Store(false)
			p.cfg.Metrics.PollerActive(false)
			stepDown()
			ended <- end{h, err}
		}()
		err = p.active(actx)
		stepDown()
		e := <-ended
		if ctx.Err() != nil || err != nil {
			if e.err == nil && (p.cfg.ReleaseOnStop || err != nil) {
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				p.lease.release(rctx, e.h)
				cancel()
			}
			return err
		}
		p.cfg.Log.Warn("poller standing by", "reason", e.err)
	}
}

// active is the work of the active poller, until ctx ends.
func (p *Poller) active(ctx context.Context) error {
	if err := p.reconcileUntilDone(ctx); err != nil {
		return nil // stepped down or stopping
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // before the Wait: a failed Consume stops the publisher too
	wg.Go(func() { p.publish(ctx) })
	// The outbox may hold changes of an earlier life: publish them now.
	p.wake()
	// Receipts are recorded by a pool, concurrently, so that the store
	// commits those that arrive together once (statusfsm's batch); each
	// event is acknowledged after its own is recorded. Order does not
	// matter: a receipt is about one form, and recording one twice
	// changes nothing. An event the pool no longer takes, at the end, is
	// left unacknowledged and comes again.
	work, stopping := make(chan jetstream.Msg), make(chan struct{})
	var handlers sync.WaitGroup
	defer handlers.Wait()
	defer close(stopping) // after cc.Stop: no callback is left waiting
	for range receiptsAtOnce {
		handlers.Go(func() {
			for {
				select {
				case msg := <-work:
					p.receipt(ctx, msg)
				case <-stopping:
					return
				}
			}
		})
	}
	cc, err := p.cons.Consume(func(msg jetstream.Msg) {
		select {
		case work <- msg:
		case <-stopping:
		}
	})
	if err != nil {
		return fmt.Errorf("poller: %w", err)
	}
	defer cc.Stop()
	// A consumer that ends by itself (connection closed for good, consumer
	// deleted) must end the process with an error, so that it is
	// restarted, not leave it polling without taking receipts.
	stopped := make(chan struct{})
	go func() {
		select {
		case <-cc.Closed():
			if ctx.Err() == nil {
				close(stopped)
				cancel()
			}
		case <-ctx.Done():
		}
	}()
	p.pollDue(ctx)
	select {
	case <-stopped:
		return fmt.Errorf("poller: %w", ErrStopped)
	default:
		return nil
	}
}

// wake tells the publisher that the outbox has something.
func (p *Poller) wake() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// pollDue claims due forms and polls them until ctx ends, then lets the
// polls in flight finish.
func (p *Poller) pollDue(ctx context.Context) {
	work := context.WithoutCancel(ctx)
	sem := make(chan struct{}, p.cfg.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if wait, ok := p.pausing(); ok {
			timer.Reset(wait)
			continue
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

// pausing reports whether a planned break is in force and how long to
// wait before looking again, logging the start and end of each break.
// Forms falling due meanwhile are polled when it ends.
func (p *Poller) pausing() (time.Duration, bool) {
	now := p.cfg.Clock()
	end := p.cfg.Breaks.Next(now)
	in := end.After(now)
	if in != p.inBreak {
		p.inBreak = in
		if in {
			p.cfg.Log.Info("planned break: polling paused", "until", end.In(envelope.Almaty()).Format(time.RFC3339))
		} else {
			p.cfg.Log.Info("planned break over: polling resumed")
		}
	}
	return min(end.Sub(now), p.cfg.Tick), in
}

// poll asks SONO about one form and applies the answer. A poll without
// an answer is logged and retried with the failure backoff; it is not an
// answer without news.
func (p *Poller) poll(ctx context.Context, f statusfsm.Form) {
	// Measured on the monotonic clock: cfg.Clock may be a test's fake.
	start := time.Now()
	defer func() { p.cfg.Metrics.Polled(time.Since(start)) }()
	log := p.cfg.Log.With("id", f.ID, "taxpayer", f.Taxpayer, "requestId", f.RequestID, "messageId", f.MessageID)
	key, err := ncakey.Choose(ctx, p.cfg.Keys, p.cfg.CheckKey, f.Taxpayer, p.cfg.Clock())
	if err != nil {
		p.failed(ctx, log, f, "no key to sign the status request", err, 0)
		return
	}
	o := p.cfg.Gateway.Status(ctx, envelope.StatusRequest{RequestID: f.RequestID}, key.Signer())
	// Recorded before the answer is applied (see internal/journal).
	if err := p.cfg.Exchanges.Record(ctx, f.ID, f.Taxpayer, f.RequestID, o); err != nil {
		log.Warn("exchange not journaled", "err", err)
	}
	switch {
	case o.Class == gateway.Success && o.Status.Error == nil:
	case o.Class == gateway.Success:
		p.failed(ctx, log, f, "SONO does not know the request id", fmt.Errorf("%w: %s", ErrNoAnswer, o.Status.Error.Code), 0)
		return
	case o.Class == gateway.Throttled || o.Class == gateway.Maintenance:
		p.deferred(ctx, log.With("outcome", o.String()), f, o)
		return
	default:
		err := o.Err
		if err == nil {
			err = ErrNoAnswer
		}
		log = log.With("outcome", o.String())
		p.failed(ctx, log, f, "status poll failed", err, o.RetryAfter)
		return
	}
	if n := o.Status.RegistrationNumber; n != "" && n != f.Registration {
		// Kept before the history is applied: the view the moves publish
		// carries it.
		if err := p.cfg.Store.Register(ctx, f.ID, n); err != nil {
			log.Warn("keeping the registration number", "err", err)
		}
	}
	var history []statusfsm.Event
	for _, h := range o.Status.History {
		history = append(history, statusfsm.Event{Status: statusfsm.Status(h.Status), At: h.Date, Message: h.Message})
	}
	var notices []statusfsm.Notice
	for _, n := range o.Status.Notices {
		notices = append(notices, statusfsm.Notice{Number: n.Number, Type: n.Type, At: n.Date, Text: n.Text})
	}
	// An empty history is an answer without news: the backoff step grows.
	entries, err := p.cfg.Store.Apply(ctx, f.ID, statusfsm.SourcePoll, history, notices...)
	if err != nil {
		log.Warn("applying status history", "err", err)
		return
	}
	status := f.State
	for _, e := range entries {
		if e.Notice != nil {
			log.Info("notice from the tax office", "number", e.Notice.Number, "type", e.Notice.Type)
			p.cfg.Metrics.Notice(e.Notice.Type)
			continue
		}
		if !e.Late {
			p.transition(e.To)
			status = e.To
		}
	}
	log.Info("polled", "status", status, "history", len(history), "new", len(entries))
	if len(entries) > 0 {
		p.wake()
	}
}

// transition reports a recorded move to s; a status SONO sent that the
// table does not know is reported as "unknown", so that the label stays
// a closed set.
func (p *Poller) transition(s statusfsm.Status) {
	if !p.cfg.Store.Table().Known(s) {
		s = "unknown"
	}
	p.cfg.Metrics.Transition(string(s))
}

// failed records a poll without an answer and reschedules the form.
// deferred reschedules a poll the gateway turned away without judging
// it (throttled, maintenance) after its Retry-After, or a default, without
// spending a failure.
func (p *Poller) deferred(ctx context.Context, log *slog.Logger, f statusfsm.Form, o gateway.Outcome) {
	after := o.RetryAfter
	if after <= 0 {
		after = p.cfg.ThrottleDelay
		if o.Class == gateway.Maintenance {
			after = p.cfg.MaintenanceDelay
		}
	}
	next, err := p.cfg.Store.PollDeferred(ctx, f.ID, after)
	if err != nil {
		log.Warn("status poll turned away", "reschedule", err)
		return
	}
	log.Warn("status poll turned away", "retryAt", next)
}

func (p *Poller) failed(ctx context.Context, log *slog.Logger, f statusfsm.Form, what string, cause error, retryAfter time.Duration) {
	next, err := p.cfg.Store.PollFailed(ctx, f.ID, retryAfter)
	if err != nil {
		log.Warn(what, "err", cause, "reschedule", err)
		return
	}
	log.Warn(what, "err", cause, "failures", f.Failures+1, "retryAt", next)
}
