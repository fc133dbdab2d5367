package delivery_test

import (
	"fmt"
	"time"

	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/pkg/envelope"
)

// ExampleDecide shows the one place where an outcome becomes an action:
// a filed form is acknowledged; throttling waits as the gateway asks
// without spending an attempt; a lost answer is never resent blindly but
// kept in flight until the hand-off grace has passed; a NOT_FOUND after
// it proves the form was not filed, so it is sent again; SONO's refusal
// is a dead letter.
func ExampleDecide() {
	p := delivery.DefaultPolicy()
	p.RandomizationFactor = 0 // deterministic delays for the example
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	show := func(what string, in delivery.Input) {
		in.FirstAttempt, in.InFlightAt = start, start
		if in.Now.IsZero() {
			in.Now = start
		}
		a := delivery.Decide(in, p)
		fmt.Printf("%-16s %-11s delay=%-6s in-flight=%-5v spend=%v\n", what, a.Verdict, a.Delay, a.KeepInFlight, a.SpendAttempt)
	}
	show("filed", delivery.Input{Outcome: gateway.Outcome{Class: gateway.Success, Receipt: &envelope.Receipt{RequestID: "req-1"}}})
	show("throttled", delivery.Input{Outcome: gateway.Outcome{Class: gateway.Throttled, RetryAfter: 3 * time.Second}})
	show("lost answer", delivery.Input{Outcome: gateway.Outcome{Class: gateway.Ambiguous}})
	show("not found later", delivery.Input{StatusCheck: true, Now: start.Add(10 * time.Minute),
		Outcome: gateway.Outcome{Class: gateway.Success, Status: &envelope.StatusResponse{Error: &envelope.SONOError{Code: envelope.CodeNotFound}}}})
	show("refused", delivery.Input{Outcome: gateway.Outcome{Class: gateway.Permanent, Code: "DUPLICATE"}})
	// Output:
	// filed            filed       delay=0s     in-flight=false spend=false
	// throttled        retry       delay=3s     in-flight=false spend=false
	// lost answer      retry       delay=1m10s  in-flight=true  spend=false
	// not found later  resend      delay=0s     in-flight=false spend=false
	// refused          dead-letter delay=0s     in-flight=false spend=false
}
