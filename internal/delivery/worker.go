package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/beevik/etree"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/ids"
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
	// Name identifies this worker in leases.
	Name  string
	Clock func() time.Time
	NewID func() string
	Log   *slog.Logger
}

// Worker delivers submissions.
type Worker struct {
	cfg     Config
	cons    jetstream.Consumer
	journal *Journal
	limiter *RateLimiter
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
	cons, err := cfg.JS.CreateOrUpdateConsumer(ctx, streams.Submissions, jetstream.ConsumerConfig{
		Durable:       streams.ConsumerWorker,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.AckWait,
		MaxDeliver:    -1,
		MaxAckPending: cfg.MaxInFlight,
		FilterSubject: streams.SubmitPrefix + ">",
	})
	if err != nil {
		return nil, fmt.Errorf("delivery: consumer: %w", err)
	}
	return &Worker{
		cfg:      cfg,
		cons:     cons,
		journal:  NewJournal(cfg.Board),
		limiter:  NewRateLimiter(cfg.Streams.Rate, cfg.RatePerSecond, cfg.Clock),
		requests: make(chan struct{}, cfg.Concurrency),
	}, nil
}

// Run delivers until ctx is cancelled, then stops taking new submissions
// and waits for the ones in flight to finish: a send already under way
// completes and is journaled, so nothing is lost on SIGTERM.
func (w *Worker) Run(ctx context.Context) error {
	handlers := 2 * w.cfg.Concurrency
	it, err := w.cons.Messages(jetstream.PullMaxMessages(handlers))
	if err != nil {
		return fmt.Errorf("delivery: %w", err)
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	// In-flight work outlives ctx, bounded by AckWait.
	work := context.WithoutCancel(ctx)
	sem := make(chan struct{}, handlers)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		sem <- struct{}{}
		msg, err := it.Next()
		if err != nil {
			<-sem
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) || ctx.Err() != nil {
				return nil
			}
			w.cfg.Log.Warn("fetching submissions", "err", err)
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

func parseSubmission(msg jetstream.Msg) (*submission, error) {
	s := &submission{
		id:       msg.Headers().Get(streams.HeaderID),
		taxpayer: msg.Headers().Get(streams.HeaderTaxpayer),
		form:     msg.Headers().Get(streams.HeaderForm),
		period:   msg.Headers().Get(streams.HeaderPeriod),
		kind:     msg.Headers().Get(streams.HeaderKind),
	}
	if s.id == "" || s.taxpayer == "" {
		return s, fmt.Errorf("%w: no id or taxpayer", ErrBadMessage)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(msg.Data()); err != nil || doc.Root() == nil {
		return s, fmt.Errorf("%w: body is not a form", ErrBadMessage)
	}
	s.body = doc.Root()
	return s, nil
}

// handle takes one delivery of a submission to its next resting point.
func (w *Worker) handle(ctx context.Context, msg jetstream.Msg) {
	sub, err := parseSubmission(msg)
	if err != nil {
		w.deadLetter(ctx, msg, sub, Record{}, Action{Verdict: DeadLetter, Reason: err.Error()})
		return
	}
	log := w.cfg.Log.With("id", sub.id)
	rec, rev, err := w.journal.Load(ctx, sub.id)
	if err != nil {
		log.Warn("journal", "err", err)
		nak(msg, time.Second)
		return
	}
	switch rec.State {
	case StateSent:
		// Filed before (a redelivery, or the same form again after the
		// duplicate window): make sure the receipt is out, send nothing.
		if err := w.publishReceipt(ctx, sub, rec); err != nil {
			nak(msg, time.Second)
			return
		}
		msg.Ack()
		return
	case StateDead:
		// Journaled dead, but the dead letter may not have been published
		// (the publish failed, or the worker died before it).
		w.deadLetter(ctx, msg, sub, rec, Action{Verdict: DeadLetter, Reason: rec.Reason})
		return
	}
	now := w.cfg.Clock()
	if rec.Lease != "" && rec.Lease != w.cfg.Name && now.Before(rec.LeaseUntil) {
		nak(msg, rec.LeaseUntil.Sub(now))
		return
	}
	rec.Lease, rec.LeaseUntil = w.cfg.Name, now.Add(w.cfg.AckWait)

	if rec.InFlight != nil {
		// Take the lease before asking SONO, so no other worker resends
		// meanwhile.
		if rev, err = w.journal.Save(ctx, sub.id, &rec, rev); err != nil {
			nak(msg, 200*time.Millisecond)
			return
		}
		act := w.resolve(ctx, sub, rec, now)
		if act.Verdict != Resend {
			w.apply(ctx, msg, sub, rec, rev, act, rec.InFlight)
			return
		}
		log.Info("in-flight attempt was not filed: resending", "messageId", rec.InFlight.MessageID)
		rec.InFlight = nil
	}

	if err := w.limiter.Wait(ctx); err != nil {
		w.release(ctx, msg, sub, rec, rev, time.Second)
		return
	}
	attempt := &Attempt{MessageID: w.cfg.NewID(), At: w.cfg.Clock()}
	rec.InFlight = attempt
	if rec.FirstAttempt.IsZero() {
		rec.FirstAttempt = attempt.At
	}
	// The attempt is journaled, with the lease, before the request leaves:
	// a crash from here on is found as an in-flight attempt by the next
	// delivery.
	if rev, err = w.journal.Save(ctx, sub.id, &rec, rev); err != nil {
		nak(msg, 200*time.Millisecond)
		return
	}
	w.requests <- struct{}{}
	o := w.cfg.Gateway.Send(ctx, attempt.MessageID, sub.body)
	<-w.requests
	act := Decide(Input{Outcome: o, Attempts: rec.Attempts, FirstAttempt: rec.FirstAttempt, Now: w.cfg.Clock()}, w.cfg.Policy)
	log.Debug("sent", "messageId", attempt.MessageID, "outcome", o.String(), "verdict", act.Verdict)
	w.apply(ctx, msg, sub, rec, rev, act, attempt)
}

// resolve asks SONO whether the in-flight attempt was filed.
func (w *Worker) resolve(ctx context.Context, sub *submission, rec Record, now time.Time) Action {
	if wait := rec.InFlight.At.Add(w.cfg.Policy.Grace).Sub(now); wait > 0 {
		// Too early for a NOT_FOUND to mean anything: come back later.
		return Action{Verdict: Retry, Delay: wait, KeepInFlight: true, Reason: "waiting for the gateway's grace period"}
	}
	key, err := ncakey.Choose(ctx, w.cfg.Keys, w.cfg.CheckKey, sub.taxpayer, now)
	if err != nil {
		return Action{Verdict: DeadLetter, KeepInFlight: true,
			Reason: "cannot ask SONO about the in-flight attempt: " + err.Error()}
	}
	if err := w.limiter.Wait(ctx); err != nil {
		return Action{Verdict: Retry, Delay: time.Second, KeepInFlight: true, Reason: "shutting down"}
	}
	w.requests <- struct{}{}
	o := w.cfg.Gateway.Status(ctx, envelope.StatusRequest{MessageID: rec.InFlight.MessageID}, key.Signer())
	<-w.requests
	return Decide(Input{Outcome: o, StatusCheck: true, Attempts: rec.Attempts, FirstAttempt: rec.FirstAttempt,
		InFlightAt: rec.InFlight.At, Now: w.cfg.Clock()}, w.cfg.Policy)
}

// apply records an action in the journal, then acts on the message.
func (w *Worker) apply(ctx context.Context, msg jetstream.Msg, sub *submission, rec Record, rev uint64, act Action, attempt *Attempt) {
	rec.Lease, rec.LeaseUntil = "", time.Time{}
	switch act.Verdict {
	case Filed:
		rec.State, rec.RequestID, rec.MessageID, rec.InFlight = StateSent, act.RequestID, attempt.MessageID, nil
		rec.SentBy = w.cfg.Name
		rec.SetView(w.view(sub, statusfsm.StateSent, rec))
		if _, err := w.journal.Save(ctx, sub.id, &rec, rev); err != nil {
			// The attempt stays in flight; the next delivery asks SONO.
			nak(msg, time.Second)
			return
		}
		w.cfg.Board.Publish(ctx, sub.taxpayer, &board.Event{ID: sub.id, From: statusfsm.StateQueued, To: statusfsm.StateSent, At: w.cfg.Clock(), Message: "request " + rec.RequestID})
		if err := w.publishReceipt(ctx, sub, rec); err != nil {
			nak(msg, time.Second)
			return
		}
		msg.Ack()
	case Retry:
		if !act.KeepInFlight {
			rec.InFlight = nil
		}
		if act.SpendAttempt {
			rec.Attempts++
		}
		rec.Reason = act.Reason
		w.release(ctx, msg, sub, rec, rev, act.Delay)
	case DeadLetter:
		if !act.KeepInFlight {
			rec.InFlight = nil
		}
		rec.State, rec.Reason = StateDead, act.Reason
		v := w.view(sub, statusfsm.StateFailedDelivery, rec)
		v.Terminal = true
		rec.SetView(v)
		if _, err := w.journal.Save(ctx, sub.id, &rec, rev); err != nil {
			nak(msg, time.Second)
			return
		}
		w.deadLetter(ctx, msg, sub, rec, act)
	default: // Resend is handled by handle
		nak(msg, time.Second)
	}
}

// release saves rec without a lease and naks the message with delay.
func (w *Worker) release(ctx context.Context, msg jetstream.Msg, sub *submission, rec Record, rev uint64, delay time.Duration) {
	rec.Lease, rec.LeaseUntil = "", time.Time{}
	w.journal.Save(ctx, sub.id, &rec, rev) // a failure leaves the lease to expire
	nak(msg, delay)
}

func nak(msg jetstream.Msg, delay time.Duration) {
	msg.NakWithDelay(max(delay, 10*time.Millisecond))
}

func (w *Worker) view(sub *submission, status statusfsm.Status, rec Record) board.View {
	return board.View{ID: sub.id, Taxpayer: sub.taxpayer, Form: sub.form, Period: sub.period, Kind: sub.kind,
		Status: status, RequestID: rec.RequestID, Reason: rec.Reason, Updated: w.cfg.Clock()}
}

func (w *Worker) publishReceipt(ctx context.Context, sub *submission, rec Record) error {
	data, err := json.Marshal(streams.Receipt{
		ID: sub.id, RequestID: rec.RequestID, MessageID: rec.MessageID,
		Taxpayer: sub.taxpayer, Form: sub.form, Period: sub.period, Kind: sub.kind, SentAt: w.cfg.Clock(),
	})
	if err != nil {
		return err
	}
	m := nats.NewMsg(streams.ReceiptPrefix + sub.id)
	m.Data = data
	m.Header.Set(jetstream.MsgIDHeader, "receipt:"+sub.id)
	if _, err := w.cfg.JS.PublishMsg(ctx, m); err != nil {
		w.cfg.Log.Warn("publishing receipt", "id", sub.id, "err", err)
		return err
	}
	return nil
}

// deadLettered reports whether SALYQ_DLQ already holds the dead letter of
// submission message seq: a redelivery after the publish must not file
// it twice (past the duplicate window, Nats-Msg-Id no longer would).
func (w *Worker) deadLettered(ctx context.Context, subject, msgID string) bool {
	last, err := w.cfg.Streams.DLQ.GetLastMsgForSubject(ctx, subject)
	return err == nil && last.Header.Get(jetstream.MsgIDHeader) == msgID
}

// deadLetter copies the message to SALYQ_DLQ with the reason, original
// subject and attempt count, then terminates the delivery.
func (w *Worker) deadLetter(ctx context.Context, msg jetstream.Msg, sub *submission, rec Record, act Action) {
	id := sub.id
	if id == "" {
		id = "invalid"
	}
	m := nats.NewMsg(streams.DLQPrefix + id)
	m.Data = msg.Data()
	for k, vs := range msg.Headers() {
		for _, v := range vs {
			m.Header.Add(k, v)
		}
	}
	m.Header.Del(jetstream.MsgIDHeader)
	seq := uint64(0)
	if md, err := msg.Metadata(); err == nil {
		seq = md.Sequence.Stream
	}
	dlqID := "dlq:" + id + ":" + strconv.FormatUint(seq, 10)
	m.Header.Set(jetstream.MsgIDHeader, dlqID)
	m.Header.Set(streams.HeaderReason, act.Reason)
	m.Header.Set(streams.HeaderCode, act.Code)
	m.Header.Set(streams.HeaderOriginalSubject, msg.Subject())
	m.Header.Set(streams.HeaderAttempts, strconv.Itoa(rec.Attempts+1))
	if !w.deadLettered(ctx, m.Subject, dlqID) {
		if _, err := w.cfg.JS.PublishMsg(ctx, m); err != nil {
			w.cfg.Log.Warn("publishing dead letter", "id", sub.id, "err", err)
			nak(msg, time.Second)
			return
		}
	}
	if sub.id != "" {
		ev := &board.Event{ID: sub.id, To: statusfsm.StateFailedDelivery, At: w.cfg.Clock(), Message: act.Reason}
		if rec.View != nil {
			// Saved with the journal record.
			w.cfg.Board.Publish(ctx, sub.taxpayer, ev)
		} else {
			// An unreadable message, never journaled.
			v := w.view(sub, statusfsm.StateFailedDelivery, rec)
			v.Terminal, v.Reason = true, act.Reason
			w.cfg.Board.Set(ctx, v, ev)
		}
	}
	w.cfg.Log.Warn("dead-lettered", "id", sub.id, "reason", act.Reason)
	msg.TermWithReason(act.Reason)
}
