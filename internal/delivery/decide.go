package delivery

import (
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/salyq/salyq/internal/gateway"
)

// Verdict is what happens to a delivery.
type Verdict int

// The verdicts.
const (
	// Filed: SONO has the form; publish the receipt and ack.
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
	Reason       string
	Code         string
	RequestID    string
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
	// Grace is how long after a send a NOT_FOUND proves nothing: the
	// gateway may take up to a minute to hand a message on (PROTOCOL.md
	// §4b).
	Grace time.Duration
	// ThrottleDelay and MaintenanceDelay are used when the gateway gives
	// no Retry-After.
	ThrottleDelay    time.Duration
	MaintenanceDelay time.Duration
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
	// InFlightAt is when the in-flight attempt was sent (StatusCheck).
	InFlightAt time.Time
	Now        time.Time
}

// Decide maps an outcome to an action. It is the only place that does.
func Decide(in Input, p Policy) Action {
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
			return Action{Verdict: DeadLetter, Code: o.Code,
				Reason: fmt.Sprintf("gave up after %d attempts over %s: %s", in.Attempts+1, in.Now.Sub(in.FirstAttempt).Round(time.Second), reason)}
		}
		if !ok {
			d = p.MaxInterval
		}
		// A status check is never given up: its form may be filed, and
		// only SONO can say. Its failures still spend attempts, so that
		// the checks space out during a long outage.
		return Action{Verdict: Retry, Delay: max(d, o.RetryAfter), SpendAttempt: true, KeepInFlight: in.StatusCheck, Reason: reason, Code: o.Code}
	case gateway.Ambiguous:
		// The form may have been filed: wait out the grace period, then ask.
		d := p.Grace
		if in.StatusCheck {
			d, _ = nextBackoff(p, 1, in.Now, in.Now)
		}
		return Action{Verdict: Retry, Delay: max(d, o.RetryAfter), KeepInFlight: true, Reason: reason, Code: o.Code}
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
	if wait := in.InFlightAt.Add(p.Grace).Sub(in.Now); wait > 0 {
		return Action{Verdict: Retry, Delay: wait, KeepInFlight: true, Reason: "NOT_FOUND within the grace period proves nothing"}
	}
	return Action{Verdict: Resend, Reason: "SONO has no form for the in-flight message"}
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
// MaxElapsed has passed since first.
func nextBackoff(p Policy, n int, first, now time.Time) (time.Duration, bool) {
	clock := &stoppedClock{t: first}
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
