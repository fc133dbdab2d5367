package delivery

import (
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/pkg/envelope"
)

// Verdict is what happens to a delivery.
type Verdict int

// The verdicts.
const (
	// Filed: SONO has the form; publish the sent event (with the receipt) and ack.
	Filed Verdict = iota + 1
	// Resend: a status check proved the in-flight attempt was not filed;
	// send again now.
	Resend
	// Retry: nak with Delay; the submission comes back later.
	Retry
	// DeadLetter: publish to the dead-letter stream with Reason, then
	// terminate.
	DeadLetter
)

var verdictNames = [...]string{"?", "filed", "resend", "retry", "dead-letter"}

func (v Verdict) String() string {
	if v < 0 || int(v) >= len(verdictNames) {
		return fmt.Sprintf("verdict(%d)", int(v))
	}
	return verdictNames[v]
}

// Action is the decision about one delivery.
type Action struct {
	Verdict Verdict
	Delay   time.Duration
	// SpendAttempt counts the failure toward the backoff.
	SpendAttempt bool
	// KeepInFlight leaves the attempt recorded as in flight: its outcome
	// is still unknown.
	KeepInFlight bool
	// Poison marks a message that can never be delivered (unreadable, or
	// an id or header that fails the boundary checks).
	Poison    bool
	Reason    string
	Code      string
	RequestID string
}

// Policy holds the retry parameters.
type Policy struct {
	// InitialInterval, Multiplier, MaxInterval and RandomizationFactor
	// shape the exponential backoff between transient failures.
	InitialInterval     time.Duration
	Multiplier          float64
	MaxInterval         time.Duration
	RandomizationFactor float64
	// MaxElapsed is how long transient failures are retried, counted from
	// the first attempt, before the form is dead-lettered. Always explicit:
	// backoff's 15-minute default is far too short for a night-long
	// gateway break and far too long for nobody to notice.
	MaxElapsed time.Duration
	// Grace is how long after a request reached the gateway a NOT_FOUND
	// proves nothing: the gateway may take up to a minute to hand a
	// message on (docs/PROTOCOL.md §4b).
	Grace time.Duration
	// RequestTimeout is the gateway client's timeout: a request may reach
	// the gateway that long after its attempt started, so grace counts
	// from attempt start + RequestTimeout.
	RequestTimeout time.Duration
	// InfraDelay is the wait after an infrastructure failure (journal,
	// board or stream write) before the delivery is tried again.
	InfraDelay time.Duration
	// ThrottleDelay and MaintenanceDelay are used when the gateway gives
	// no Retry-After.
	ThrottleDelay    time.Duration
	MaintenanceDelay time.Duration
	// Breaks are the gateway's planned breaks: nothing is sent during
	// them, and their time does not count toward MaxElapsed, so a form
	// that failed before a weekend is not given up for the weekend.
	Breaks breaks.Schedule
}

// DefaultPolicy is the production policy.
func DefaultPolicy() Policy {
	return Policy{
		InitialInterval:     2 * time.Second,
		Multiplier:          2,
		MaxInterval:         5 * time.Minute,
		RandomizationFactor: 0.3,
		MaxElapsed:          72 * time.Hour,
		Grace:               70 * time.Second,
		RequestTimeout:      60 * time.Second,
		InfraDelay:          time.Second,
		ThrottleDelay:       time.Second,
		MaintenanceDelay:    5 * time.Minute,
	}
}

// Input is everything Decide looks at.
type Input struct {
	// Outcome of the request just made.
	Outcome gateway.Outcome
	// StatusCheck is set when the request was SONO_FNO_GET_STATUS by the
	// messageId of an in-flight attempt, rather than a send.
	StatusCheck bool
	// Attempts already spent, and when the first one was made.
	Attempts     int
	FirstAttempt time.Time
	// InFlightAt is when the attempt (the send just made, or the
	// in-flight attempt a status check asks about) started.
	InFlightAt time.Time
	// Ended says the request of that attempt is known to have ended by
	// InFlightAt: it cannot reach the gateway later, so grace counts from
	// InFlightAt without the request timeout.
	Ended bool
	Now   time.Time
	// Poison is set when the message can never be handled: it fails the
	// boundary checks or is not a form. Nothing was sent.
	Poison error
	// Infra is set when a step around the request failed (journal load
	// or save, event publish, board write): nothing changed
	// durably and the delivery is simply tried again.
	Infra error
	// TooEarly says a status check of the in-flight attempt is not worth
	// making yet: a NOT_FOUND would mean nothing within the grace period.
	TooEarly bool
	// Busy is set when another delivery holds the lease of the
	// submission: how long to wait before trying again.
	Busy time.Duration
	// BreakEnd is set when Now falls in a planned break, to its end:
	// nothing was asked of the gateway, and the delivery waits until then.
	BreakEnd time.Time
	// LastDelivery says JetStream will deliver the message only a few
	// more times (streams.DeadLetterSpare): a retry becomes a dead letter.
	LastDelivery bool
}

// Decide maps an outcome, or a failure around it, to an action. It is the
// only place that does.
func Decide(in Input, p Policy) Action {
	var a Action
	switch {
	case in.Poison != nil:
		return Action{Verdict: DeadLetter, Poison: true, Reason: "poison: " + in.Poison.Error()}
	case in.Busy > 0:
		// Not a failure of this submission: no attempt spent, and never a
		// dead letter, since the lease holder is working on it.
		return Action{Verdict: Retry, Delay: in.Busy, KeepInFlight: true, Reason: "another worker holds the lease"}
	case !in.BreakEnd.IsZero():
		// Like a maintenance answer, announced in advance: no attempt
		// spent, the journal (an attempt in flight too) left as it is.
		a = Action{Verdict: Retry, Delay: max(in.BreakEnd.Sub(in.Now), MinDelay), KeepInFlight: true,
			Reason: "planned break until " + in.BreakEnd.In(envelope.Almaty()).Format("2006-01-02 15:04 -07:00")}
	case in.Infra != nil:
		// KeepInFlight: whatever the journal holds stays as it is.
		a = Action{Verdict: Retry, Delay: orDefault(p.InfraDelay, time.Second), KeepInFlight: true, Reason: "infrastructure: " + in.Infra.Error()}
	case in.TooEarly:
		a = Action{Verdict: Retry, Delay: max(graceLeft(in, p), MinDelay), KeepInFlight: true, Reason: "waiting for the gateway's grace period"}
	default:
		a = decideOutcome(in, p)
	}
	if in.LastDelivery && a.Verdict == Retry {
		reason := "max deliveries: " + a.Reason
		if a.KeepInFlight && !in.InFlightAt.IsZero() {
			// Unresolved: SONO may have the form.
			reason += " (an attempt is in flight and unresolved: the form may be filed)"
		}
		a = Action{Verdict: DeadLetter, KeepInFlight: a.KeepInFlight, Reason: reason, Code: a.Code}
	}
	return a
}

// decideOutcome maps the outcome of a request.
func decideOutcome(in Input, p Policy) Action {
	o := in.Outcome
	reason := o.String()
	switch o.Class {
	case gateway.Success:
		if in.StatusCheck {
			return decideStatus(in, p)
		}
		return Action{Verdict: Filed, RequestID: o.Receipt.RequestID}
	case gateway.Throttled:
		return Action{Verdict: Retry, Delay: orDefault(o.RetryAfter, p.ThrottleDelay), KeepInFlight: in.StatusCheck, Reason: reason, Code: o.Code}
	case gateway.Maintenance:
		return Action{Verdict: Retry, Delay: orDefault(o.RetryAfter, p.MaintenanceDelay), KeepInFlight: in.StatusCheck, Reason: reason, Code: o.Code}
	case gateway.Transient:
		d, ok := nextBackoff(p, in.Attempts+1, in.FirstAttempt, in.Now)
		if !ok && !in.StatusCheck {
			over := in.Now.Sub(in.FirstAttempt).Round(time.Second).String()
			if paused := p.Breaks.Within(in.FirstAttempt, in.Now); paused > 0 {
				over = fmt.Sprintf("%s outside planned breaks", (in.Now.Sub(in.FirstAttempt) - paused).Round(time.Second))
			}
			return Action{Verdict: DeadLetter, Code: o.Code,
				Reason: fmt.Sprintf("gave up after %d attempts over %s: %s", in.Attempts+1, over, reason)}
		}
		if !ok {
			d = p.MaxInterval
		}
		// A status check is never given up: its form may be filed, and
		// only SONO can say. Its failures still spend attempts, so that
		// the checks space out during a long outage.
		return Action{Verdict: Retry, Delay: max(d, o.RetryAfter), SpendAttempt: true, KeepInFlight: in.StatusCheck, Reason: reason, Code: o.Code}
	case gateway.Ambiguous:
		if in.StatusCheck {
			// An answer we cannot trust (its signature does not verify
			// with --gateway-cert, or it was lost) is a failure like any
			// other: it spends an attempt, so the checks space out instead
			// of asking every few seconds forever.
			d, ok := nextBackoff(p, in.Attempts+1, in.FirstAttempt, in.Now)
			if !ok {
				d = p.MaxInterval
			}
			return Action{Verdict: Retry, Delay: max(d, o.RetryAfter), SpendAttempt: true, KeepInFlight: true, Reason: reason, Code: o.Code}
		}
		// The form may have been filed: wait out the grace period, then
		// ask. The request is over now (its answer was lost or it timed
		// out), so it reached the gateway by now if at all, and by attempt
		// start + RequestTimeout at the latest.
		reach := in.Now
		if !in.InFlightAt.IsZero() && p.RequestTimeout > 0 {
			reach = minTime(reach, in.InFlightAt.Add(p.RequestTimeout))
		}
		return Action{Verdict: Retry, Delay: max(reach.Add(p.Grace).Sub(in.Now), o.RetryAfter, MinDelay), KeepInFlight: true, Reason: reason, Code: o.Code}
	case gateway.Permanent:
		return Action{Verdict: DeadLetter, KeepInFlight: in.StatusCheck, Reason: reason, Code: o.Code}
	}
	return Action{Verdict: Retry, Delay: p.Grace, KeepInFlight: true, Reason: "unclassified outcome: " + reason}
}

// decideStatus reads the answer to a status check of an in-flight attempt.
func decideStatus(in Input, p Policy) Action {
	s := in.Outcome.Status
	if s.Error == nil {
		return Action{Verdict: Filed, RequestID: s.RequestID}
	}
	// NOT_FOUND: reliable only once the hand-off grace period is over.
	if wait := graceLeft(in, p); wait > 0 {
		return Action{Verdict: Retry, Delay: wait, KeepInFlight: true, Reason: "NOT_FOUND within the grace period proves nothing"}
	}
	return Action{Verdict: Resend, Reason: "SONO has no form for the in-flight message"}
}

// graceLeft is how long until a NOT_FOUND about the attempt that started
// at InFlightAt (now, if unknown) proves it was not filed: the request may
// have reached the gateway up to RequestTimeout after it started, and the
// gateway may hand it on up to Grace after that.
func graceLeft(in Input, p Policy) time.Duration {
	start := in.InFlightAt
	if start.IsZero() {
		start = in.Now
	}
	return p.graceLeft(start, in.Ended, in.Now)
}

func (p Policy) graceLeft(start time.Time, ended bool, now time.Time) time.Duration {
	if ended {
		return start.Add(p.Grace).Sub(now)
	}
	return start.Add(p.RequestTimeout + p.Grace).Sub(now)
}

// MinDelay is the shortest wait Decide asks for.
const MinDelay = 10 * time.Millisecond

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// stoppedClock lets backoff measure elapsed time from the first attempt,
// which the journal remembers across redeliveries and restarts.
type stoppedClock struct{ t time.Time }

func (c *stoppedClock) Now() time.Time { return c.t }

// nextBackoff returns the delay before attempt n+1 (n ≥ 1), or false when
// MaxElapsed has passed since first, planned breaks not counted.
func nextBackoff(p Policy, n int, first, now time.Time) (time.Duration, bool) {
	// Moving the start later by the time spent in breaks leaves backoff
	// measuring only the time the gateway was meant to be up.
	clock := &stoppedClock{t: first.Add(p.Breaks.Within(first, now))}
	b := &backoff.ExponentialBackOff{
		InitialInterval:     p.InitialInterval,
		RandomizationFactor: p.RandomizationFactor,
		Multiplier:          p.Multiplier,
		MaxInterval:         p.MaxInterval,
		MaxElapsedTime:      p.MaxElapsed,
		Stop:                backoff.Stop,
		Clock:               clock,
	}
	b.Reset()
	clock.t = now
	d := backoff.Stop
	for range max(n, 1) {
		if d = b.NextBackOff(); d == backoff.Stop {
			return 0, false
		}
	}
	return d, true
}
