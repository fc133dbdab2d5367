package settle

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/streams"
)

// Verdict is what happens to a message.
type Verdict int

// The verdicts.
const (
	// Ack: done with the message.
	Ack Verdict = iota + 1
	// Retry: nak with Delay; the message comes back.
	Retry
	// DeadLetter: copy to SALYQ_DLQ with the reason, then terminate.
	DeadLetter
)

var verdictNames = [...]string{"?", "ack", "retry", "dead-letter"}

func (v Verdict) String() string {
	if v < 0 || int(v) >= len(verdictNames) {
		return fmt.Sprintf("verdict(%d)", int(v))
	}
	return verdictNames[v]
}

// MinDelay is the shortest nak delay: a zero delay would redeliver at
// once and spin on a failure that needs a moment to pass.
const MinDelay = 10 * time.Millisecond

// PoisonSubject is where dead letters go whose id cannot be a subject
// token.
const PoisonSubject = streams.DLQPrefix + "poison"

// Action is how to settle one message.
type Action struct {
	Verdict Verdict
	// Delay before a Retry is redelivered (at least MinDelay).
	Delay time.Duration
	// Reason and Code go into the dead letter's headers.
	Reason string
	Code   string
	// Poison marks a message that can never be handled (unreadable,
	// invalid id or header): its reason starts with "poison: ".
	Poison bool
	// ID is the submission id, the dead letter's subject token; an empty
	// or invalid one puts the dead letter on PoisonSubject.
	ID string
	// Attempts is the attempt count reported in the dead letter.
	Attempts int
}

// Config configures a Settler.
type Config struct {
	JS jetstream.JetStream
	// DLQ is the dead-letter stream, to find a dead letter published by
	// an earlier delivery of the same message; nil: looked up when needed.
	DLQ jetstream.Stream
	// MaxDeliver is the consumer's MaxDeliver (≤ 0: unbounded).
	MaxDeliver int
	Log        *slog.Logger
	// Consumer names the consumer to the Observer ("worker", "poller").
	Consumer string
	// Observer hears of every message settled; nil: nobody.
	Observer Observer
}

// Observer is told how messages were settled (metrics).
type Observer interface {
	// Settled: msg was acked, naked or terminated, as verdict says.
	Settled(consumer, verdict string)
	// DeadLettered: a dead letter is in SALYQ_DLQ; reason is one of a
	// closed set (see ReasonClass).
	DeadLettered(consumer, reason string)
}

// ReasonClass maps a dead letter's free-text reason to a closed set
// (poison, max-deliveries, gave-up, no-key, permanent, other), for a
// metric label that cannot grow with SONO's messages.
func ReasonClass(a Action) string {
	switch {
	case a.Poison || strings.HasPrefix(a.Reason, "poison"):
		return "poison"
	case strings.HasPrefix(a.Reason, "max deliveries"):
		return "max-deliveries"
	case strings.HasPrefix(a.Reason, "gave up"):
		return "gave-up"
	case strings.HasPrefix(a.Reason, "cannot ask SONO"):
		return "no-key"
	case a.Code != "":
		return "permanent"
	}
	return "other"
}

// Settler settles the messages of one consumer.
type Settler struct {
	cfg Config
}

// New returns a settler.
func New(cfg Config) *Settler {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Settler{cfg: cfg}
}

// Remaining returns how many more times msg can be delivered after this
// delivery under maxDeliver (≤ 0: unbounded, a large number).
func Remaining(msg jetstream.Msg, maxDeliver int) int {
	if maxDeliver <= 0 {
		return int(^uint(0) >> 1)
	}
	md, err := msg.Metadata()
	if err != nil {
		return maxDeliver
	}
	return maxDeliver - int(md.NumDelivered)
}

// LastDeliveries reports whether msg is on one of its last
// streams.DeadLetterSpare deliveries under the settler's MaxDeliver: a
// decision should dead-letter now rather than retry, so that a failed
// dead-letter publish can still be retried before JetStream stops
// delivering the message.
func (s *Settler) LastDeliveries(msg jetstream.Msg) bool {
	return Remaining(msg, s.cfg.MaxDeliver) <= streams.DeadLetterSpare
}

// Settle acts on msg as a says. It is the only code that acks, naks or
// terminates a JetStream message.
func (s *Settler) Settle(ctx context.Context, msg jetstream.Msg, a Action) error {
	if a.Verdict == Retry && Remaining(msg, s.cfg.MaxDeliver) <= 0 {
		// JetStream would not deliver it again: it would sit in the work
		// queue for good.
		a.Verdict = DeadLetter
		a.Reason = fmt.Sprintf("max deliveries (%d): %s", s.cfg.MaxDeliver, a.Reason)
	}
	switch a.Verdict {
	case Ack:
		if err := msg.Ack(); err != nil {
			return fmt.Errorf("%w: ack: %w", ErrSettle, err)
		}
		s.settled(Ack)
		return nil
	case DeadLetter:
		return s.deadLetter(ctx, msg, a)
	default:
		return s.nak(msg, a.Delay)
	}
}

func (s *Settler) settled(v Verdict) {
	if s.cfg.Observer != nil {
		s.cfg.Observer.Settled(s.cfg.Consumer, v.String())
	}
}

func (s *Settler) nak(msg jetstream.Msg, d time.Duration) error {
	if err := msg.NakWithDelay(max(d, MinDelay)); err != nil {
		return fmt.Errorf("%w: nak: %w", ErrSettle, err)
	}
	s.settled(Retry)
	return nil
}

// Subject returns the dead-letter subject of a message of submission id.
func Subject(id string) string {
	if streams.CheckID(id) != nil {
		return PoisonSubject
	}
	return streams.DLQPrefix + id
}

// deadLetter copies msg to SALYQ_DLQ with the reason, original subject
// and attempt count, then terminates it.
func (s *Settler) deadLetter(ctx context.Context, msg jetstream.Msg, a Action) error {
	if a.Poison && !strings.HasPrefix(a.Reason, "poison") {
		a.Reason = "poison: " + a.Reason
	}
	m := nats.NewMsg(Subject(a.ID))
	m.Data = msg.Data()
	for k, vs := range msg.Headers() {
		for _, v := range vs {
			m.Header.Add(k, v)
		}
	}
	// One dead letter per stored message, whatever the redeliveries.
	origin, seq := "", uint64(0)
	if md, err := msg.Metadata(); err == nil {
		origin, seq = md.Stream, md.Sequence.Stream
	}
	dlqID := "dlq:" + origin + ":" + strconv.FormatUint(seq, 10)
	m.Header.Set(jetstream.MsgIDHeader, dlqID)
	m.Header.Set(streams.HeaderReason, headerSafe(a.Reason))
	m.Header.Set(streams.HeaderCode, headerSafe(a.Code))
	m.Header.Set(streams.HeaderOriginalSubject, msg.Subject())
	m.Header.Set(streams.HeaderAttempts, strconv.Itoa(max(a.Attempts, 1)))
	if !s.deadLettered(ctx, m.Subject, dlqID) {
		if _, err := s.cfg.JS.PublishMsg(ctx, m); err != nil {
			s.cfg.Log.Warn("publishing dead letter", "subject", msg.Subject(), "id", logSafe(a.ID), "err", err)
			if Remaining(msg, s.cfg.MaxDeliver) <= 0 {
				s.cfg.Log.Error("dead letter lost: the message stays in its stream past MaxDeliver",
					"subject", msg.Subject(), "seq", seq, "reason", a.Reason)
			}
			if nerr := s.nak(msg, time.Second); nerr != nil {
				return fmt.Errorf("%w: %w (%w)", ErrDeadLetter, err, nerr)
			}
			return fmt.Errorf("%w: %w", ErrDeadLetter, err)
		}
	}
	s.cfg.Log.Warn("dead-lettered", "id", logSafe(a.ID), "subject", msg.Subject(), "reason", a.Reason, "poison", a.Poison)
	if s.cfg.Observer != nil {
		s.cfg.Observer.DeadLettered(s.cfg.Consumer, ReasonClass(a))
	}
	if err := msg.TermWithReason(headerSafe(a.Reason)); err != nil {
		return fmt.Errorf("%w: term: %w", ErrSettle, err)
	}
	s.settled(DeadLetter)
	return nil
}

// deadLettered reports whether SALYQ_DLQ already holds the dead letter
// dlqID: a redelivery after the publish must not add it twice (past the
// duplicate window, Nats-Msg-Id no longer would).
func (s *Settler) deadLettered(ctx context.Context, subject, dlqID string) bool {
	dlq := s.cfg.DLQ
	if dlq == nil {
		var err error
		if dlq, err = s.cfg.JS.Stream(ctx, streams.DLQ); err != nil {
			return false
		}
	}
	last, err := dlq.GetLastMsgForSubject(ctx, subject)
	return err == nil && last.Header.Get(jetstream.MsgIDHeader) == dlqID
}

// headerSafe makes a reason fit a header: one line, bounded.
func headerSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	const limit = 1024
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "") + "…"
	}
	return s
}

// logSafe keeps an untrusted id from flooding a log line.
func logSafe(id string) string {
	if streams.CheckID(id) != nil {
		return strconv.Quote(headerSafe(id[:min(len(id), 80)]))
	}
	return id
}
