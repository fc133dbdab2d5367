package delivery_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/pkg/envelope"
)

// policy has round numbers so that the jitter bounds are easy to read.
var policy = delivery.Policy{
	InitialInterval:     time.Second,
	Multiplier:          2,
	MaxInterval:         10 * time.Second,
	RandomizationFactor: 0.5,
	MaxElapsed:          time.Minute,
	Grace:               70 * time.Second,
	ThrottleDelay:       3 * time.Second,
	MaintenanceDelay:    5 * time.Minute,
	InfraDelay:          1500 * time.Millisecond,
}

// jitter returns the bounds of the randomized backoff before attempt n+1
// after n spent attempts: the base interval min(Initial·Mult^n, Max),
// ± RandomizationFactor.
func jitter(p delivery.Policy, spent int) (lo, hi time.Duration) {
	base := float64(p.InitialInterval) * math.Pow(p.Multiplier, float64(spent))
	base = min(base, float64(p.MaxInterval))
	return time.Duration(base * (1 - p.RandomizationFactor)), time.Duration(base*(1+p.RandomizationFactor)) + 1
}

func exactly(d time.Duration) [2]time.Duration { return [2]time.Duration{d, d} }

func within(p delivery.Policy, spent int) [2]time.Duration {
	lo, hi := jitter(p, spent)
	return [2]time.Duration{lo, hi}
}

func TestDecide(t *testing.T) {
	first := time.Date(2025, 7, 15, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return first.Add(d) }
	out := func(c gateway.Class, code string, retry time.Duration) gateway.Outcome {
		return gateway.Outcome{Class: c, Code: code, Reason: "because", RetryAfter: retry}
	}
	filed := gateway.Outcome{Class: gateway.Success, Receipt: &envelope.Receipt{RequestID: "req-1"}}
	statusFound := gateway.Outcome{Class: gateway.Success, Status: &envelope.StatusResponse{RequestID: "req-2"}}
	notFound := gateway.Outcome{Class: gateway.Success, Status: &envelope.StatusResponse{
		Error: &envelope.SONOError{Code: envelope.CodeNotFound, Message: "no form"}}}

	type want struct {
		verdict   delivery.Verdict
		delay     [2]time.Duration // inclusive bounds
		spend     bool
		inFlight  bool
		requestID string
		code      string
		reason    string // substring
		poison    bool
	}
	tests := []struct {
		name string
		in   delivery.Input
		want want
	}{
		// Sends.
		{"send success", delivery.Input{Outcome: filed, FirstAttempt: first, Now: at(0)},
			want{verdict: delivery.Filed, requestID: "req-1"}},
		{"send transient, first failure", delivery.Input{Outcome: out(gateway.Transient, "99999", 0), FirstAttempt: first, Now: at(time.Second)},
			want{verdict: delivery.Retry, delay: within(policy, 0), spend: true, code: "99999"}},
		{"send transient, fourth failure", delivery.Input{Outcome: out(gateway.Transient, "", 0), Attempts: 3, FirstAttempt: first, Now: at(10 * time.Second)},
			want{verdict: delivery.Retry, delay: within(policy, 3), spend: true}},
		{"send transient, interval capped", delivery.Input{Outcome: out(gateway.Transient, "", 0), Attempts: 9, FirstAttempt: first, Now: at(20 * time.Second)},
			want{verdict: delivery.Retry, delay: within(policy, 9), spend: true}},
		{"send transient with a longer Retry-After", delivery.Input{Outcome: out(gateway.Transient, "", 40*time.Second), FirstAttempt: first, Now: at(0)},
			want{verdict: delivery.Retry, delay: exactly(40 * time.Second), spend: true}},
		{"send transient at MaxElapsed gives up", delivery.Input{Outcome: out(gateway.Transient, "99999", 0), Attempts: 12, FirstAttempt: first, Now: at(time.Minute)},
			want{verdict: delivery.DeadLetter, code: "99999", reason: "gave up after 13 attempts over 1m0s"}},
		{"send transient long after MaxElapsed gives up", delivery.Input{Outcome: out(gateway.Transient, "", 0), Attempts: 2, FirstAttempt: first, Now: at(time.Hour)},
			want{verdict: delivery.DeadLetter, reason: "gave up"}},
		{"send throttled with Retry-After", delivery.Input{Outcome: out(gateway.Throttled, "THROTTLED", 7*time.Second), Attempts: 4, FirstAttempt: first, Now: at(time.Second)},
			want{verdict: delivery.Retry, delay: exactly(7 * time.Second), code: "THROTTLED"}},
		{"send throttled without Retry-After", delivery.Input{Outcome: out(gateway.Throttled, "THROTTLED", 0), FirstAttempt: first, Now: at(time.Second)},
			want{verdict: delivery.Retry, delay: exactly(policy.ThrottleDelay), code: "THROTTLED"}},
		{"send throttled after MaxElapsed still waits", delivery.Input{Outcome: out(gateway.Throttled, "", 0), Attempts: 50, FirstAttempt: first, Now: at(time.Hour)},
			want{verdict: delivery.Retry, delay: exactly(policy.ThrottleDelay)}},
		{"send maintenance with Retry-After", delivery.Input{Outcome: out(gateway.Maintenance, "MAINTENANCE", 30*time.Minute), FirstAttempt: first, Now: at(time.Second)},
			want{verdict: delivery.Retry, delay: exactly(30 * time.Minute), code: "MAINTENANCE"}},
		{"send maintenance without Retry-After", delivery.Input{Outcome: out(gateway.Maintenance, "MAINTENANCE", 0), Attempts: 50, FirstAttempt: first, Now: at(time.Hour)},
			want{verdict: delivery.Retry, delay: exactly(policy.MaintenanceDelay), code: "MAINTENANCE"}},
		{"send ambiguous waits out the grace", delivery.Input{Outcome: out(gateway.Ambiguous, "", 0), Attempts: 2, FirstAttempt: first, Now: at(time.Second)},
			want{verdict: delivery.Retry, delay: exactly(policy.Grace), inFlight: true}},
		{"send ambiguous after MaxElapsed still asks", delivery.Input{Outcome: out(gateway.Ambiguous, "", 0), FirstAttempt: first, Now: at(time.Hour)},
			want{verdict: delivery.Retry, delay: exactly(policy.Grace), inFlight: true}},
		{"send ambiguous with a longer Retry-After", delivery.Input{Outcome: out(gateway.Ambiguous, "", 2*time.Minute), FirstAttempt: first, Now: at(time.Second)},
			want{verdict: delivery.Retry, delay: exactly(2 * time.Minute), inFlight: true}},
		{"send permanent", delivery.Input{Outcome: out(gateway.Permanent, "DUPLICATE", 0), FirstAttempt: first, Now: at(time.Second)},
			want{verdict: delivery.DeadLetter, code: "DUPLICATE", reason: "permanent DUPLICATE: because"}},
		{"send unclassified", delivery.Input{Outcome: out(gateway.Class(0), "", 0), FirstAttempt: first, Now: at(time.Second)},
			want{verdict: delivery.Retry, delay: exactly(policy.Grace), inFlight: true, reason: "unclassified"}},

		// Status checks of an in-flight attempt sent at first.
		{"status with a request id", delivery.Input{Outcome: statusFound, StatusCheck: true, InFlightAt: first, FirstAttempt: first, Now: at(80 * time.Second)},
			want{verdict: delivery.Filed, requestID: "req-2"}},
		{"status NOT_FOUND within grace", delivery.Input{Outcome: notFound, StatusCheck: true, InFlightAt: first, FirstAttempt: first, Now: at(50 * time.Second)},
			want{verdict: delivery.Retry, delay: exactly(20 * time.Second), inFlight: true}},
		{"status NOT_FOUND at the end of grace", delivery.Input{Outcome: notFound, StatusCheck: true, InFlightAt: first, FirstAttempt: first, Now: at(policy.Grace)},
			want{verdict: delivery.Resend}},
		{"status NOT_FOUND after grace", delivery.Input{Outcome: notFound, StatusCheck: true, InFlightAt: first, FirstAttempt: first, Now: at(time.Hour)},
			want{verdict: delivery.Resend}},
		{"status NOT_FOUND of a later in-flight attempt", delivery.Input{Outcome: notFound, StatusCheck: true, InFlightAt: at(time.Hour), FirstAttempt: first, Now: at(time.Hour + 10*time.Second)},
			want{verdict: delivery.Retry, delay: exactly(60 * time.Second), inFlight: true}},
		{"status transient", delivery.Input{Outcome: out(gateway.Transient, "99999", 0), StatusCheck: true, Attempts: 1, InFlightAt: first, FirstAttempt: first, Now: at(30 * time.Second)},
			want{verdict: delivery.Retry, delay: within(policy, 1), spend: true, inFlight: true, code: "99999"}},
		{"status transient after MaxElapsed never dead-letters", delivery.Input{Outcome: out(gateway.Transient, "", 0), StatusCheck: true, Attempts: 40, InFlightAt: first, FirstAttempt: first, Now: at(24 * time.Hour)},
			want{verdict: delivery.Retry, delay: [2]time.Duration{policy.InitialInterval / 2, policy.MaxInterval * 3 / 2}, spend: true, inFlight: true}},
		{"status throttled", delivery.Input{Outcome: out(gateway.Throttled, "THROTTLED", 2*time.Second), StatusCheck: true, InFlightAt: first, FirstAttempt: first, Now: at(80 * time.Second)},
			want{verdict: delivery.Retry, delay: exactly(2 * time.Second), inFlight: true, code: "THROTTLED"}},
		{"status throttled without Retry-After", delivery.Input{Outcome: out(gateway.Throttled, "", 0), StatusCheck: true, InFlightAt: first, FirstAttempt: first, Now: at(80 * time.Second)},
			want{verdict: delivery.Retry, delay: exactly(policy.ThrottleDelay), inFlight: true}},
		{"status maintenance", delivery.Input{Outcome: out(gateway.Maintenance, "MAINTENANCE", 0), StatusCheck: true, InFlightAt: first, FirstAttempt: first, Now: at(80 * time.Second)},
			want{verdict: delivery.Retry, delay: exactly(policy.MaintenanceDelay), inFlight: true, code: "MAINTENANCE"}},
		{"status maintenance with Retry-After", delivery.Input{Outcome: out(gateway.Maintenance, "MAINTENANCE", 9*time.Minute), StatusCheck: true, InFlightAt: first, FirstAttempt: first, Now: at(80 * time.Second)},
			want{verdict: delivery.Retry, delay: exactly(9 * time.Minute), inFlight: true, code: "MAINTENANCE"}},
		// An answer that cannot be trusted (not signed with --gateway-cert)
		// is a failure: it spends an attempt and the checks space out.
		{"status ambiguous", delivery.Input{Outcome: out(gateway.Ambiguous, "", 0), StatusCheck: true, Attempts: 2, InFlightAt: first, FirstAttempt: first, Now: at(30 * time.Second)},
			want{verdict: delivery.Retry, delay: within(policy, 2), spend: true, inFlight: true}},
		{"status ambiguous after MaxElapsed waits MaxInterval", delivery.Input{Outcome: out(gateway.Ambiguous, "", 0), StatusCheck: true, Attempts: 5, InFlightAt: first, FirstAttempt: first, Now: at(time.Hour)},
			want{verdict: delivery.Retry, delay: exactly(policy.MaxInterval), spend: true, inFlight: true}},
		{"status check too early", delivery.Input{TooEarly: true, StatusCheck: true, InFlightAt: first, FirstAttempt: first, Now: at(30 * time.Second)},
			want{verdict: delivery.Retry, delay: exactly(40 * time.Second), inFlight: true, reason: "grace"}},

		// Around the request.
		{"poison", delivery.Input{Poison: errors.New("Salyq-Id: too long")},
			want{verdict: delivery.DeadLetter, poison: true, reason: "poison: Salyq-Id: too long"}},
		{"poison wins over an infrastructure failure", delivery.Input{Poison: errors.New("body is not a form"), Infra: errors.New("journal down")},
			want{verdict: delivery.DeadLetter, poison: true, reason: "poison: body is not a form"}},
		{"journal load fails", delivery.Input{Infra: errors.New("journal: timeout")},
			want{verdict: delivery.Retry, delay: exactly(policy.InfraDelay), inFlight: true, reason: "infrastructure: journal: timeout"}},
		{"receipt publish fails after filing", delivery.Input{Infra: errors.New("receipt: no responders"), Outcome: filed},
			want{verdict: delivery.Retry, delay: exactly(policy.InfraDelay), inFlight: true, reason: "receipt"}},
		{"planned break", delivery.Input{BreakEnd: at(9 * time.Hour), Attempts: 3, FirstAttempt: first, Now: at(time.Hour)},
			want{verdict: delivery.Retry, delay: exactly(8 * time.Hour), inFlight: true, reason: "planned break until 2025-07-16 00:00 +05:00"}},
		{"planned break at the last delivery", delivery.Input{BreakEnd: at(9 * time.Hour), FirstAttempt: first, Now: at(time.Hour), LastDelivery: true},
			want{verdict: delivery.DeadLetter, inFlight: true, reason: "max deliveries: planned break"}},
		{"lease held by another worker", delivery.Input{Busy: 7 * time.Second, LastDelivery: true},
			want{verdict: delivery.Retry, delay: exactly(7 * time.Second), inFlight: true, reason: "lease"}},

		// The last deliveries JetStream allows.
		{"transient at the last delivery", delivery.Input{Outcome: out(gateway.Transient, "99999", 0), FirstAttempt: first, Now: at(time.Second), LastDelivery: true},
			want{verdict: delivery.DeadLetter, code: "99999", reason: "max deliveries"}},
		{"throttled at the last delivery", delivery.Input{Outcome: out(gateway.Throttled, "THROTTLED", 0), FirstAttempt: first, Now: at(time.Second), LastDelivery: true},
			want{verdict: delivery.DeadLetter, code: "THROTTLED", reason: "max deliveries"}},
		{"unresolved status check at the last delivery", delivery.Input{Outcome: out(gateway.Transient, "", 0), StatusCheck: true, InFlightAt: first, FirstAttempt: first, Now: at(time.Hour), LastDelivery: true},
			want{verdict: delivery.DeadLetter, inFlight: true, reason: "may be filed"}},
		{"filed at the last delivery", delivery.Input{Outcome: filed, FirstAttempt: first, Now: at(0), LastDelivery: true},
			want{verdict: delivery.Filed, requestID: "req-1"}},
		{"permanent at the last delivery", delivery.Input{Outcome: out(gateway.Permanent, "DUPLICATE", 0), FirstAttempt: first, Now: at(time.Second), LastDelivery: true},
			want{verdict: delivery.DeadLetter, code: "DUPLICATE", reason: "permanent"}},
		{"status permanent", delivery.Input{Outcome: out(gateway.Permanent, "ACCESS_DENIED", 0), StatusCheck: true, InFlightAt: first, FirstAttempt: first, Now: at(80 * time.Second)},
			want{verdict: delivery.DeadLetter, inFlight: true, code: "ACCESS_DENIED"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Jitter is random: look at several draws.
			for range 20 {
				a := delivery.Decide(tc.in, policy)
				w := tc.want
				if a.Verdict != w.verdict {
					t.Fatalf("verdict %v, want %v (%+v)", a.Verdict, w.verdict, a)
				}
				if a.Delay < w.delay[0] || a.Delay > w.delay[1] {
					t.Fatalf("delay %v, want within [%v, %v]", a.Delay, w.delay[0], w.delay[1])
				}
				if a.SpendAttempt != w.spend {
					t.Errorf("SpendAttempt %v, want %v", a.SpendAttempt, w.spend)
				}
				if a.KeepInFlight != w.inFlight {
					t.Errorf("KeepInFlight %v, want %v", a.KeepInFlight, w.inFlight)
				}
				if a.RequestID != w.requestID {
					t.Errorf("RequestID %q, want %q", a.RequestID, w.requestID)
				}
				if a.Poison != w.poison {
					t.Errorf("Poison %v, want %v", a.Poison, w.poison)
				}
				if a.Code != w.code {
					t.Errorf("Code %q, want %q", a.Code, w.code)
				}
				if !strings.Contains(a.Reason, w.reason) {
					t.Errorf("reason %q does not say %q", a.Reason, w.reason)
				}
				if (a.Verdict == delivery.DeadLetter || a.Verdict == delivery.Retry) && a.Reason == "" {
					t.Errorf("%v without a reason", a.Verdict)
				}
				if t.Failed() {
					return
				}
			}
		})
	}
}

// TestDecideBackoffGrows: successive transient failures wait longer, up
// to MaxInterval, and the form is dead-lettered once MaxElapsed is spent.
func TestDecideBackoffGrows(t *testing.T) {
	p := policy
	p.RandomizationFactor = 0
	first := time.Date(2025, 7, 15, 10, 0, 0, 0, time.UTC)
	now, attempts := first, 0
	var delays []time.Duration
	for {
		a := delivery.Decide(delivery.Input{Outcome: gateway.Outcome{Class: gateway.Transient}, Attempts: attempts, FirstAttempt: first, Now: now}, p)
		if a.Verdict == delivery.DeadLetter {
			break
		}
		if a.Verdict != delivery.Retry || !a.SpendAttempt {
			t.Fatalf("attempt %d: %+v", attempts, a)
		}
		delays = append(delays, a.Delay)
		now = now.Add(a.Delay)
		attempts++
		if attempts > 100 {
			t.Fatal("never gave up")
		}
	}
	want := []time.Duration{1, 2, 4, 8, 10, 10, 10, 10}
	if len(delays) != len(want) {
		t.Fatalf("delays %v, want %v seconds", delays, want)
	}
	for i := range want {
		if delays[i] != want[i]*time.Second {
			t.Fatalf("delays %v, want %v seconds", delays, want)
		}
	}
	if now.Sub(first) > p.MaxElapsed {
		t.Errorf("retried for %v, beyond MaxElapsed %v", now.Sub(first), p.MaxElapsed)
	}
}

// TestDecideBreaksNotCounted: the time a form spends in planned breaks
// does not count toward MaxElapsed; past it, the dead letter says how
// long the failures lasted outside the breaks.
func TestDecideBreaksNotCounted(t *testing.T) {
	p := policy
	sched, err := breaks.Parse("21:00-06:00")
	if err != nil {
		t.Fatal(err)
	}
	p.Breaks = sched
	first := time.Date(2025, 7, 15, 20, 59, 30, 0, envelope.Almaty())
	transient := gateway.Outcome{Class: gateway.Transient}
	// 50 s outside the night: still within the minute.
	next := time.Date(2025, 7, 16, 6, 0, 20, 0, envelope.Almaty())
	if a := delivery.Decide(delivery.Input{Outcome: transient, FirstAttempt: first, Now: next}, p); a.Verdict != delivery.Retry || !a.SpendAttempt {
		t.Errorf("after the break: %+v, want a retry", a)
	}
	if a := delivery.Decide(delivery.Input{Outcome: transient, FirstAttempt: first, Now: next}, policy); a.Verdict != delivery.DeadLetter {
		t.Errorf("without breaks: %+v, want a dead letter", a)
	}
	a := delivery.Decide(delivery.Input{Outcome: transient, Attempts: 3, FirstAttempt: first, Now: next.Add(11 * time.Second)}, p)
	if a.Verdict != delivery.DeadLetter || !strings.Contains(a.Reason, "over 1m1s outside planned breaks") {
		t.Errorf("past a minute outside the break: %+v", a)
	}
}

// TestDecideGraceFromReach: grace counts from when the request could last
// have reached the gateway, attempt start + RequestTimeout, for the wait
// after a lost answer and for a NOT_FOUND alike.
func TestDecideGraceFromReach(t *testing.T) {
	p := policy
	p.RequestTimeout = 60 * time.Second
	start := time.Date(2025, 7, 15, 10, 0, 0, 0, time.UTC)
	notFound := gateway.Outcome{Class: gateway.Success, Status: &envelope.StatusResponse{
		Error: &envelope.SONOError{Code: envelope.CodeNotFound}}}
	// The answer was lost 45 s into the attempt: the request is over, it
	// reached the gateway by now if at all; ask after the grace period.
	a := delivery.Decide(delivery.Input{Outcome: gateway.Outcome{Class: gateway.Ambiguous}, InFlightAt: start, FirstAttempt: start, Now: start.Add(45 * time.Second)}, p)
	if a.Verdict != delivery.Retry || a.Delay != 70*time.Second || !a.KeepInFlight {
		t.Errorf("lost answer: %+v, want a retry in 70s keeping the attempt", a)
	}
	// Decided late (the worker stalled after a timeout): the request
	// could not reach the gateway after start + RequestTimeout.
	a = delivery.Decide(delivery.Input{Outcome: gateway.Outcome{Class: gateway.Ambiguous}, InFlightAt: start, FirstAttempt: start, Now: start.Add(100 * time.Second)}, p)
	if a.Verdict != delivery.Retry || a.Delay != 30*time.Second {
		t.Errorf("lost answer decided at 100s: %+v, want a retry in 30s", a)
	}
	// NOT_FOUND 100 s after the start: the request may have reached the
	// gateway at 60 s and be handed on until 130 s.
	a = delivery.Decide(delivery.Input{Outcome: notFound, StatusCheck: true, InFlightAt: start, FirstAttempt: start, Now: start.Add(100 * time.Second)}, p)
	if a.Verdict != delivery.Retry || a.Delay != 30*time.Second {
		t.Errorf("NOT_FOUND at 100s: %+v, want a retry in 30s", a)
	}
	a = delivery.Decide(delivery.Input{Outcome: notFound, StatusCheck: true, InFlightAt: start, FirstAttempt: start, Now: start.Add(130 * time.Second)}, p)
	if a.Verdict != delivery.Resend {
		t.Errorf("NOT_FOUND at 130s: %+v, want a resend", a)
	}
	// Known to have ended by InFlightAt (its answer was lost): the request
	// cannot reach the gateway later, grace alone counts.
	a = delivery.Decide(delivery.Input{Outcome: notFound, StatusCheck: true, InFlightAt: start, Ended: true, FirstAttempt: start, Now: start.Add(50 * time.Second)}, p)
	if a.Verdict != delivery.Retry || a.Delay != 20*time.Second {
		t.Errorf("NOT_FOUND 50s after an ended request: %+v, want a retry in 20s", a)
	}
	a = delivery.Decide(delivery.Input{TooEarly: true, StatusCheck: true, InFlightAt: start, Ended: true, FirstAttempt: start, Now: start.Add(70 * time.Second)}, p)
	if a.Verdict != delivery.Retry || a.Delay != delivery.MinDelay {
		t.Errorf("too early at the end of grace: %+v, want the shortest retry", a)
	}
}

func TestVerdictString(t *testing.T) {
	for v, s := range map[delivery.Verdict]string{delivery.Filed: "filed", delivery.Resend: "resend", delivery.Retry: "retry", delivery.DeadLetter: "dead-letter"} {
		if v.String() != s {
			t.Errorf("%d prints %q, want %q", int(v), v.String(), s)
		}
	}
}

func TestVerdictStringOutOfRange(t *testing.T) {
	if s := delivery.Verdict(5).String(); s == "" {
		t.Error("empty name")
	}
}
