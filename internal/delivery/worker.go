package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/beevik/etree"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/ids"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/settle"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// Config configures a Worker.
type Config struct {
	JS      jetstream.JetStream
	Streams *streams.Set
	Gateway *gateway.Client
	Keys    ncakey.Candidates
	// CheckKey, when set, passes over a taxpayer's key whose certificate
	// it refuses (revoked) when signing status requests.
	CheckKey ncakey.CertCheck
	Board    *board.Board
	Policy   Policy
	// Concurrency is how many gateway requests this process has in flight
	// at once; it handles twice as many submissions, so that journaling
	// and publishing around one request overlap the next request.
	Concurrency int
	// MaxInFlight caps unacknowledged submissions across all workers (the
	// shared consumer's MaxAckPending): the concurrency cap toward the
	// gateway that holds however many workers run.
	MaxInFlight int
	// RatePerSecond caps requests toward the gateway across all workers
	// (0: no cap).
	RatePerSecond int
	// AckWait is how long a delivery may take before JetStream hands it to
	// another worker; it must exceed the gateway timeout. The lease in the
	// journal lasts as long.
	AckWait time.Duration
	// MaxDeliver bounds the deliveries of one submission message (0:
	// streams.MaxDeliverWorker); the last streams.DeadLetterSpare of them
	// dead-letter instead of retrying.
	MaxDeliver int
	// BreakCheck is how often the worker reads Clock again while it waits
	// for a planned break (Policy.Breaks) to begin or end, so that a clock
	// set forward is noticed within it; default a minute.
	BreakCheck time.Duration
	// CompactEvery is how often the worker removes the submissions all
	// workers are done with from SALYQ_SUBMISSIONS (compact); default
	// DefaultCompactEvery.
	CompactEvery time.Duration
	// Name identifies this worker in leases.
	Name  string
	Clock func() time.Time
	NewID func() string
	Log   *slog.Logger
	// Metrics hears of sends in flight and settled messages; nil: nobody.
	Metrics Metrics
	// Exchanges records every request to the gateway and its answer in
	// the exchange journal; nil: not recorded.
	Exchanges *journal.Writer
}

// Metrics is what a worker reports to (internal/metrics).
type Metrics interface {
	settle.Observer
	// SendStarted and SendEnded bracket each SONO_FNO_SEND request.
	SendStarted()
	SendEnded()
}

// noMetrics reports nowhere.
type noMetrics struct{}

func (noMetrics) Settled(string, string)      {}
func (noMetrics) DeadLettered(string, string) {}
func (noMetrics) SendStarted()                {}
func (noMetrics) SendEnded()                  {}

// Worker delivers submissions.
type Worker struct {
	cfg     Config
	cons    jetstream.Consumer
	journal *Journal
	limiter *RateLimiter
	settler *settle.Settler
	// requests holds one token per gateway request in flight.
	requests chan struct{}
}

// New creates or updates the shared durable consumer and returns a worker.
func New(ctx context.Context, cfg Config) (*Worker, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 16
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 64
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = 3 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = ids.UUID
	}
	if cfg.MaxDeliver <= 0 {
		cfg.MaxDeliver = streams.MaxDeliverWorker
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	if cfg.BreakCheck <= 0 {
		cfg.BreakCheck = time.Minute
	}
	if cfg.CompactEvery <= 0 {
		cfg.CompactEvery = DefaultCompactEvery
	}
	cons, err := cfg.JS.CreateOrUpdateConsumer(ctx, streams.Submissions, jetstream.ConsumerConfig{
		Durable:       streams.ConsumerWorker,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.AckWait,
		MaxDeliver:    cfg.MaxDeliver,
		MaxAckPending: cfg.MaxInFlight,
		FilterSubject: streams.SubmitPrefix + ">",
	})
	if err != nil {
		return nil, fmt.Errorf("delivery: consumer: %w", err)
	}
	return &Worker{
		cfg:     cfg,
		cons:    cons,
		journal: NewJournal(cfg.Board),
		limiter: NewRateLimiter(cfg.Streams.Rate, cfg.RatePerSecond, cfg.Clock),
		settler: settle.New(settle.Config{JS: cfg.JS, DLQ: cfg.Streams.DLQ, MaxDeliver: cfg.MaxDeliver, Log: cfg.Log,
			Consumer: "worker", Observer: cfg.Metrics}),
		requests: make(chan struct{}, cfg.Concurrency),
	}, nil
}

// Run delivers until ctx is cancelled, then stops taking new submissions
// and waits for the ones in flight to finish: a send already under way
// completes and is journaled, so nothing is lost on SIGTERM. If the
// consumer stops while ctx is still live (the connection closed for good,
// the consumer deleted) Run returns an error wrapping ErrStopped, so the
// process exits non-zero and is restarted. Through a planned break
// (Policy.Breaks) it fetches nothing, and resumes at its end.
func (w *Worker) Run(ctx context.Context) error {
	handlers := 2 * w.cfg.Concurrency
	w.cfg.Log.Info("worker started", "name", w.cfg.Name, "concurrency", w.cfg.Concurrency,
		"maxInFlight", w.cfg.MaxInFlight, "rate", w.cfg.RatePerSecond, "ackWait", w.cfg.AckWait,
		"breaks", w.cfg.Policy.Breaks.String())
	// Logged once the sends in flight are done (the deferred Wait runs
	// first).
	defer w.cfg.Log.Info("worker stopped", "name", w.cfg.Name)
	// Handlers outlive one round of fetching: a break stops the fetching,
	// not the sends under way.
	sem := make(chan struct{}, handlers)
	var wg sync.WaitGroup
	defer wg.Wait()
	cctx, stopCompacting := context.WithCancel(ctx)
	defer stopCompacting()
	wg.Go(func() { w.compact(cctx) })
	for {
		if !w.sleepThroughBreak(ctx) {
			return nil
		}
		paused, err := w.fetch(ctx, sem, &wg)
		if err != nil || !paused {
			return err
		}
	}
}

// fetch takes submissions and hands each to a handler until ctx ends
// (false), a planned break begins (true) or the consumer stops (an
// error).
func (w *Worker) fetch(ctx context.Context, sem chan struct{}, wg *sync.WaitGroup) (paused bool, err error) {
	it, err := w.cons.Messages(jetstream.PullMaxMessages(cap(sem)))
	if err != nil {
		return false, fmt.Errorf("delivery: %w", err)
	}
	// Drain, not Stop: the messages already pulled into the buffer come
	// out of Next and are handed back at once, instead of waiting out
	// AckWait unacknowledged (at a break, through process, to its end).
	stop := context.AfterFunc(ctx, it.Drain)
	defer stop()
	var breaking atomic.Bool
	watching, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	go func() {
		if w.awaitBreak(watching) {
			breaking.Store(true)
			it.Drain()
		}
	}()
	// In-flight work outlives ctx, bounded by AckWait.
	work := context.WithoutCancel(ctx)
	for {
		sem <- struct{}{}
		msg, err := it.Next()
		if err != nil {
			<-sem
			if ctx.Err() != nil {
				return false, nil
			}
			if breaking.Load() {
				return true, nil
			}
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) || errors.Is(err, nats.ErrConnectionClosed) ||
				errors.Is(err, jetstream.ErrConsumerDeleted) {
				return false, fmt.Errorf("delivery: %w: %w", ErrStopped, err)
			}
			w.cfg.Log.Warn("fetching submissions", "err", err)
			continue
		}
		if ctx.Err() != nil {
			if err := w.settler.Settle(work, msg, settle.Action{Verdict: settle.Retry, Delay: settle.MinDelay, Reason: "worker stopping"}); err != nil {
				w.cfg.Log.Warn("handing back a submission", "subject", msg.Subject(), "err", err)
			}
			<-sem
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			hctx, cancel := context.WithTimeout(work, w.cfg.AckWait)
			defer cancel()
			w.handle(hctx, msg)
		}()
	}
}

// submission is what the worker reads off a message.
type submission struct {
	id, taxpayer, form, period, kind string
	body                             *etree.Element
}

// parseSubmission reads a message and checks every header it uses before
// any of them becomes a key, a subject or a log line: an id of 4 KiB
// would close the NATS connection, a wildcard would widen a lookup.
func parseSubmission(msg jetstream.Msg) (*submission, error) {
	h := msg.Headers()
	s := &submission{
		id:       h.Get(streams.HeaderID),
		taxpayer: h.Get(streams.HeaderTaxpayer),
		form:     h.Get(streams.HeaderForm),
		period:   h.Get(streams.HeaderPeriod),
		kind:     h.Get(streams.HeaderKind),
	}
	if err := streams.CheckID(s.id); err != nil {
		return s, &streams.FieldError{Field: streams.HeaderID, Err: err}
	}
	if err := streams.CheckTaxpayer(s.taxpayer); err != nil {
		return s, &streams.FieldError{Field: streams.HeaderTaxpayer, Err: err}
	}
	for _, f := range []struct{ name, v string }{
		{streams.HeaderForm, s.form}, {streams.HeaderPeriod, s.period}, {streams.HeaderKind, s.kind},
	} {
		if err := streams.CheckHeader(f.v); err != nil {
			return s, &streams.FieldError{Field: f.name, Err: err}
		}
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(msg.Data()); err != nil || doc.Root() == nil {
		return s, fmt.Errorf("%w: body is not a form", ErrBadMessage)
	}
	s.body = doc.Root()
	return s, nil
}

// handle takes one delivery of a submission to its next resting point and
// settles the message accordingly.
func (w *Worker) handle(ctx context.Context, msg jetstream.Msg) {
	act := w.process(ctx, msg)
	if err := w.settler.Settle(ctx, msg, act); err != nil {
		w.cfg.Log.Warn("settling submission", "subject", msg.Subject(), "verdict", act.Verdict, "err", err)
	}
}

// process does the work of one delivery and returns how to settle it.
func (w *Worker) process(ctx context.Context, msg jetstream.Msg) settle.Action {
	last := w.settler.LastDeliveries(msg)
	sub, err := parseSubmission(msg)
	if err != nil {
		return w.poison(ctx, sub, err)
	}
	log := w.cfg.Log.With("id", sub.id)
	rec, rev, err := w.journal.Load(ctx, sub.id)
	if err != nil {
		return w.infra(sub, rec, "journal", err)
	}
	switch rec.State {
	case statusfsm.StateSent:
		// Filed before (a redelivery, or the same form again after the
		// duplicate window): make sure the event (with the receipt) is out,
		// send nothing.
		return w.finishSent(ctx, sub, rec)
	case statusfsm.StateFailedDelivery:
		// Journaled dead, but the event or the dead letter may not have
		// been published (the publish failed, or the worker died first).
		return w.finishDead(ctx, sub, rec)
	}
	if act, ok := w.inBreak(last); ok {
		// Nothing goes to the gateway, status checks included: the
		// journal, an attempt in flight too, stays as it is.
		return w.settleAction(sub, rec, act)
	}
	seq, delivered := deliveryOf(msg)
	if w.leaseHeld(ctx, rec, seq) {
		// The holder finishes within AckWait, or JetStream hands its
		// message to another worker, which takes the lease over.
		return w.settleAction(sub, rec, Decide(Input{Busy: w.cfg.AckWait}, w.cfg.Policy))
	}
	rec.Lease, rec.LeaseSeq, rec.LeaseDelivery = w.cfg.Name, seq, delivered

	if rec.InFlight != nil {
		// Take the lease before asking SONO, so no other worker resends
		// meanwhile.
		if rev, err = w.journal.Save(ctx, sub.id, &rec, rev); err != nil {
			return w.infra(sub, rec, "journal: lease", err)
		}
		act, err := w.resolve(ctx, sub, rec, last)
		if err != nil {
			return w.infra(sub, rec, "journal: server time", err)
		}
		if act.Verdict != Resend {
			return w.apply(ctx, sub, rec, rev, act, rec.InFlight)
		}
		log.Info("in-flight attempt was not filed: resending", "messageId", rec.InFlight.MessageID)
		rec.InFlight = nil
	}

	if err := w.limiter.Wait(ctx); err != nil {
		return w.release(ctx, sub, rec, rev, time.Second)
	}
	// The request slot is taken before the attempt is journaled, so that
	// the request starts right after the journal write: the stamp of that
	// write plus the request timeout bounds when it can reach the gateway.
	select {
	case w.requests <- struct{}{}:
	case <-ctx.Done():
		return w.release(ctx, sub, rec, rev, time.Second)
	}
	if act, ok := w.inBreak(last); ok {
		// The break began while this delivery waited for a slot.
		<-w.requests
		rec.Reason = act.Reason
		return w.release(ctx, sub, rec, rev, act.Delay)
	}
	attempt := &Attempt{MessageID: w.cfg.NewID(), At: w.cfg.Clock()}
	rec.InFlight, rec.State = attempt, statusfsm.StateSending
	if rec.FirstAttempt.IsZero() {
		rec.FirstAttempt = attempt.At
	}
	// The attempt is journaled, with the lease, before the request leaves:
	// a crash from here on is found as an in-flight attempt by the next
	// delivery.
	if rev, err = w.journal.Save(ctx, sub.id, &rec, rev); err != nil {
		<-w.requests
		return w.infra(sub, rec, "journal: attempt", err)
	}
	w.cfg.Metrics.SendStarted()
	o := w.cfg.Gateway.Send(ctx, attempt.MessageID, sub.body)
	w.cfg.Metrics.SendEnded()
	<-w.requests
	// Whatever the outcome, the request is over: if the attempt stays in
	// flight, its grace counts from the next journal write, not from that
	// write plus the request timeout.
	attempt.Ended = true
	w.record(ctx, sub, "", o)
	act := Decide(Input{Outcome: o, Attempts: rec.Attempts, FirstAttempt: rec.FirstAttempt,
		InFlightAt: attempt.At, Now: w.cfg.Clock(), LastDelivery: last}, w.cfg.Policy)
	logOutcome(log, "send", sub.taxpayer, attempt.MessageID, o, act)
	return w.apply(ctx, sub, rec, rev, act, attempt)
}

// record puts the exchange of o in the exchange journal before its outcome
// is acted on (see internal/journal for what a failure here costs).
func (w *Worker) record(ctx context.Context, sub *submission, requestID string, o gateway.Outcome) {
	if err := w.cfg.Exchanges.Record(ctx, sub.id, sub.taxpayer, requestID, o); err != nil {
		w.cfg.Log.Warn("exchange not journaled", "id", sub.id, "err", err)
	}
}

// logOutcome writes one line per gateway request of the worker: INFO when
// the form is filed or found, WARN otherwise, with what the operator
// needs to find it at SONO. No field carries a secret.
func logOutcome(log *slog.Logger, what, taxpayer, messageID string, o gateway.Outcome, act Action) {
	args := []any{"taxpayer", taxpayer, "messageId", messageID, "outcome", o.String(), "verdict", act.Verdict.String()}
	if act.RequestID != "" {
		args = append(args, "requestId", act.RequestID)
	}
	if o.Class == gateway.Success && act.Verdict != DeadLetter {
		log.Info(what, args...)
		return
	}
	if act.Delay > 0 {
		args = append(args, "retryIn", act.Delay.Round(time.Millisecond))
	}
	log.Warn(what+" failed", args...)
}

// deliveryOf returns the stream sequence of msg and how many times it has
// been delivered (zeros if unknown).
func deliveryOf(msg jetstream.Msg) (seq, delivered uint64) {
	md, err := msg.Metadata()
	if err != nil {
		return 0, 0
	}
	return md.Sequence.Stream, md.NumDelivered
}

// leaseHeld reports whether another delivery holds the lease of rec,
// without looking at any clock. A lease taken by an earlier delivery of
// the same message is void: JetStream delivers a message again only once
// the earlier delivery was naked or its AckWait ran out, by the server's
// clock, and a worker still busy past AckWait finds its next journal
// write refused. A lease of another message of the same submission (sent
// again after the duplicate window, or replayed) holds while that message
// is being delivered, that is until it is acked or terminated, which
// every path does only after releasing the lease, and its redelivery
// takes the lease over. A lease without a sequence (journals of earlier
// versions) is void.
func (w *Worker) leaseHeld(ctx context.Context, rec Record, seq uint64) bool {
	if rec.Lease == "" || rec.LeaseSeq == 0 || rec.LeaseSeq == seq {
		return false
	}
	// Only a message known to be done, or gone, voids the lease; any
	// error keeps it, and the delivery is tried again later. The stream
	// keeps messages until compact removes them: one at or below the ack
	// floor is acknowledged or terminated. One acknowledged out of order
	// keeps its lease until the floor passes it or it is removed.
	if info, err := w.cons.Info(ctx); err == nil && rec.LeaseSeq <= info.AckFloor.Stream {
		return false
	}
	_, err := w.cfg.Streams.Submissions.GetMsg(ctx, rec.LeaseSeq)
	return !errors.Is(err, jetstream.ErrMsgNotFound)
}

// resolve asks SONO whether the in-flight attempt was filed. Grace is
// judged on JetStream's clock: the attempt's stamp against the time the
// server stored this worker's lease, just written, plus the time measured
// locally since; no other machine's wall clock enters.
func (w *Worker) resolve(ctx context.Context, sub *submission, rec Record, last bool) (Action, error) {
	serverNow, err := w.journal.Written(ctx, sub.id)
	if err != nil {
		return Action{}, err
	}
	local := w.cfg.Clock()
	now := func() time.Time { return serverNow.Add(max(w.cfg.Clock().Sub(local), 0)) }
	in := Input{StatusCheck: true, Attempts: rec.Attempts, FirstAttempt: rec.FirstAttempt,
		InFlightAt: rec.InFlight.Stamp, Ended: rec.InFlight.Ended, Now: serverNow, LastDelivery: last}
	if in.TooEarly = w.cfg.Policy.graceLeft(in.InFlightAt, in.Ended, serverNow) > 0; in.TooEarly {
		// A NOT_FOUND would mean nothing yet: come back later.
		return Decide(in, w.cfg.Policy), nil
	}
	key, err := ncakey.Choose(ctx, w.cfg.Keys, w.cfg.CheckKey, sub.taxpayer, w.cfg.Clock())
	if err != nil {
		return Action{Verdict: DeadLetter, KeepInFlight: true,
			Reason: "cannot ask SONO about the in-flight attempt: " + err.Error()}, nil
	}
	if err := w.limiter.Wait(ctx); err != nil {
		return Action{Verdict: Retry, Delay: time.Second, KeepInFlight: true, Reason: "shutting down"}, nil
	}
	select {
	case w.requests <- struct{}{}:
	case <-ctx.Done():
		return Action{Verdict: Retry, Delay: time.Second, KeepInFlight: true, Reason: "out of time waiting for a request slot"}, nil
	}
	in.Outcome = w.cfg.Gateway.Status(ctx, envelope.StatusRequest{MessageID: rec.InFlight.MessageID}, key.Signer())
	<-w.requests
	w.record(ctx, sub, "", in.Outcome)
	in.Now = now()
	act := Decide(in, w.cfg.Policy)
	logOutcome(w.cfg.Log.With("id", sub.id), "status check of the in-flight attempt", sub.taxpayer, rec.InFlight.MessageID, in.Outcome, act)
	return act, nil
}

// apply records an action in the journal and returns how to settle the
// message.
func (w *Worker) apply(ctx context.Context, sub *submission, rec Record, rev uint64, act Action, attempt *Attempt) settle.Action {
	rec.Lease, rec.LeaseSeq, rec.LeaseDelivery = "", 0, 0
	switch act.Verdict {
	case Filed:
		rec.State, rec.RequestID, rec.MessageID, rec.InFlight = statusfsm.StateSent, act.RequestID, attempt.MessageID, nil
		rec.SentBy, rec.Reason, rec.Code = w.cfg.Name, "", ""
		rec.SetView(w.view(sub, statusfsm.StateSent, rec))
		if _, err := w.journal.Save(ctx, sub.id, &rec, rev); err != nil {
			// The attempt stays in flight; the next delivery asks SONO.
			return w.infra(sub, rec, "journal: filed", err)
		}
		return w.finishSent(ctx, sub, rec)
	case Retry:
		if !act.KeepInFlight {
			rec.InFlight, rec.State = nil, statusfsm.StateQueued
		}
		if act.SpendAttempt {
			rec.Attempts++
		}
		rec.Reason = act.Reason
		return w.release(ctx, sub, rec, rev, act.Delay)
	case DeadLetter:
		if !act.KeepInFlight {
			rec.InFlight = nil
		}
		rec.State, rec.Reason, rec.Code = statusfsm.StateFailedDelivery, act.Reason, act.Code
		v := w.view(sub, statusfsm.StateFailedDelivery, rec)
		v.Terminal = true
		rec.SetView(v)
		if _, err := w.journal.Save(ctx, sub.id, &rec, rev); err != nil {
			return w.infra(sub, rec, "journal: dead letter", err)
		}
		return w.finishDead(ctx, sub, rec)
	default: // Resend is handled by process
		return w.infra(sub, rec, "unexpected verdict", fmt.Errorf("%v", act.Verdict))
	}
}

// release saves rec without a lease and retries the message after delay.
// A failed save leaves the journal as it was (an attempt in flight stays
// in flight, and is asked about); the lease it keeps is void once this
// message is delivered again (see leaseHeld).
func (w *Worker) release(ctx context.Context, sub *submission, rec Record, rev uint64, delay time.Duration) settle.Action {
	rec.Lease, rec.LeaseSeq, rec.LeaseDelivery = "", 0, 0
	if _, err := w.journal.Save(ctx, sub.id, &rec, rev); err != nil {
		w.cfg.Log.Warn("releasing the lease", "id", sub.id, "err", err)
	}
	return settle.Action{Verdict: settle.Retry, Delay: delay, Reason: rec.Reason, ID: sub.id, Attempts: rec.Attempts + 1}
}

// finishSent publishes the event of a filed submission, which carries
// its receipt for the poller, then acks. The event's id makes a
// redelivery that publishes it again harmless.
func (w *Worker) finishSent(ctx context.Context, sub *submission, rec Record) settle.Action {
	// Once the poller has moved the view on, it has the receipt and its
	// own events follow ours: republishing "sent" then would put an old
	// status last.
	if v := rec.View; v != nil && v.Status == statusfsm.StateSent {
		ev := &board.Event{ID: sub.id, From: statusfsm.StateQueued, To: statusfsm.StateSent, At: v.Updated, Message: "request " + rec.RequestID,
			Receipt: &streams.Receipt{ID: sub.id, RequestID: rec.RequestID, MessageID: rec.MessageID,
				Taxpayer: sub.taxpayer, Form: sub.form, Period: sub.period, Kind: sub.kind, SentAt: v.Updated}}
		if err := w.cfg.Board.Publish(ctx, sub.taxpayer, ev); err != nil {
			return w.infra(sub, rec, "status event", err)
		}
	}
	return settle.Action{Verdict: settle.Ack, ID: sub.id}
}

// finishDead publishes the failed-delivery event of a journaled dead
// submission and hands the message over to be dead-lettered.
func (w *Worker) finishDead(ctx context.Context, sub *submission, rec Record) settle.Action {
	if v := rec.View; v != nil && v.Status == statusfsm.StateFailedDelivery {
		ev := &board.Event{ID: sub.id, To: statusfsm.StateFailedDelivery, At: v.Updated, Message: rec.Reason}
		if err := w.cfg.Board.Publish(ctx, sub.taxpayer, ev); err != nil {
			return w.infra(sub, rec, "status event", err)
		}
	}
	return settle.Action{Verdict: settle.DeadLetter, Reason: rec.Reason, Code: rec.Code, ID: sub.id, Attempts: rec.Attempts + 1}
}

// poison dead-letters a message that can never be delivered. If its id
// and taxpayer are usable and the board has no view of it, the board
// shows it failed; an existing view is never overwritten by a message
// that failed the checks.
func (w *Worker) poison(ctx context.Context, sub *submission, cause error) settle.Action {
	act := w.settleAction(sub, Record{}, Decide(Input{Poison: cause}, w.cfg.Policy))
	if streams.CheckID(sub.id) != nil || streams.CheckTaxpayer(sub.taxpayer) != nil {
		return act
	}
	now := w.cfg.Clock()
	v := board.View{ID: sub.id, Taxpayer: sub.taxpayer, Status: statusfsm.StateFailedDelivery,
		Terminal: true, Reason: act.Reason, Updated: now}
	ev := &board.Event{ID: sub.id, To: statusfsm.StateFailedDelivery, At: now, Message: act.Reason}
	if err := w.cfg.Board.Create(ctx, v, ev); err != nil {
		return w.infra(sub, Record{}, "board", err)
	}
	return act
}

// infra is the decision after an infrastructure failure: retry shortly.
func (w *Worker) infra(sub *submission, rec Record, step string, err error) settle.Action {
	w.cfg.Log.Warn("delivery step failed, retrying", "id", sub.id, "step", step, "err", err)
	return w.settleAction(sub, rec, Decide(Input{Infra: fmt.Errorf("%s: %w", step, err)}, w.cfg.Policy))
}

// settleAction turns a decision that changes nothing in the journal into
// how to settle the message.
func (w *Worker) settleAction(sub *submission, rec Record, a Action) settle.Action {
	out := settle.Action{Delay: a.Delay, Reason: a.Reason, Code: a.Code, Poison: a.Poison, ID: sub.id, Attempts: rec.Attempts + 1}
	switch a.Verdict {
	case Filed:
		out.Verdict = settle.Ack
	case DeadLetter:
		out.Verdict = settle.DeadLetter
	default:
		out.Verdict = settle.Retry
	}
	return out
}

func (w *Worker) view(sub *submission, status statusfsm.Status, rec Record) board.View {
	v := board.View{ID: sub.id, Taxpayer: sub.taxpayer, Form: sub.form, Period: sub.period, Kind: sub.kind,
		Status: status, RequestID: rec.RequestID, Reason: rec.Reason, Updated: w.cfg.Clock()}
	if status == statusfsm.StateSent {
		// SONO took the form now: the filing time of the reports.
		v.Filed = v.Updated
		// The poller's store records the receipt as its first entry: at
		// that sequence the board has it already, and the poller's
		// publication of the entry writes nothing.
		v.Seq = statusfsm.ReceiptSeq
	}
	return v
}
