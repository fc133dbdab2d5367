package delays

import (
	"fmt"
	"strings"
	"time"

	"github.com/salyq/salyq/internal/availability"
	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/pkg/envelope"
)

// Causes of a delay (board.Delay.Cause, the Code of a delay entry).
const (
	// CauseUnavailable: the gateway could not be reached, did not answer
	// or answered 5xx or a technical fault.
	CauseUnavailable = "unavailable"
	// CauseMaintenance: the gateway is in a technological break.
	CauseMaintenance = "maintenance"
	// CauseThrottled: the gateway sheds load.
	CauseThrottled = "throttled"
	// CauseKey: no usable key to sign with (expired, revoked, missing).
	CauseKey = "key"
	// CauseNotServed: no attempt at all: no worker took the form.
	CauseNotServed = "not-served"
	// CausePlannedBreak: the worker holds sends through a planned break.
	CausePlannedBreak = "planned-break"
	// CauseUnknown: none of the above can be told from the attempts.
	CauseUnknown = "unknown"
)

// Cause is why a form waits: a Cause* key and the words for people.
type Cause struct {
	Key  string
	Text string
}

// CauseOf tells why a form waits at now from the planned breaks, its
// delivery journal (the board record's delivery section) and its
// exchanges in the exchange journal, oldest first. A planned break under
// way comes first: the workers send nothing through it. Then what the
// worker says of its latest turn (a key it could not use), since no
// exchange follows it; then the last exchange; without either, no worker
// has tried.
func CauseOf(now time.Time, planned breaks.Schedule, del delivery.Record, exchanges []journal.Record) Cause {
	reason := strings.ToLower(del.Reason)
	var last *journal.Record
	n := 0
	for i := range exchanges {
		if exchanges[i].Delay() {
			continue
		}
		n++
		last = &exchanges[i]
	}
	switch {
	case planned.In(now):
		return Cause{CausePlannedBreak, "planned break until " + planned.Next(now).In(envelope.Almaty()).Format(time.DateTime+" -07:00")}
	case strings.Contains(reason, "key"):
		return Cause{CauseKey, "key problem: " + del.Reason}
	case last != nil:
		return exchangeCause(*last, n)
	case del.FirstAttempt.IsZero() && del.Attempts == 0:
		return Cause{CauseNotServed, "queue not served: no attempt to send it yet"}
	case del.Reason != "":
		return Cause{CauseUnknown, del.Reason}
	}
	return Cause{CauseUnknown, "no attempt recorded"}
}

// exchangeCause is the cause the last of n exchanges shows.
func exchangeCause(r journal.Record, n int) Cause {
	what := fmt.Sprintf("%d exchange(s), the last at %s: %s", n,
		r.At.In(envelope.Almaty()).Format(time.DateTime+" -07:00"), outcomeText(r))
	switch {
	case r.Outcome == gateway.Maintenance.String():
		return Cause{CauseMaintenance, "gateway in maintenance; " + what}
	case r.Outcome == gateway.Throttled.String():
		return Cause{CauseThrottled, "gateway throttling; " + what}
	case availability.Down(r.Outcome, r.HTTPStatus):
		return Cause{CauseUnavailable, "gateway unavailable; " + what}
	}
	return Cause{CauseUnknown, what}
}

func outcomeText(r journal.Record) string {
	s := r.Outcome
	if r.HTTPStatus != 0 {
		s += fmt.Sprintf(" (HTTP %d)", r.HTTPStatus)
	}
	if r.Code != "" {
		s += " " + r.Code
	}
	if r.Reason != "" && r.Reason != r.Outcome {
		s += ": " + r.Reason
	}
	return s
}
