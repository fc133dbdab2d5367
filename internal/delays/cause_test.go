package delays_test

import (
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/delays"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/journal"
)

// TestCauseOf: the worker's own word on its latest turn (a planned break,
// a key) comes first, then the last exchange, then whether anyone tried.
func TestCauseOf(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ex := func(outcome string, status int) journal.Record {
		return journal.Record{At: at, Service: "SONO_FNO_SEND", Outcome: outcome, HTTPStatus: status}
	}
	tried := delivery.Record{FirstAttempt: at, Attempts: 3}
	for _, c := range []struct {
		name string
		del  delivery.Record
		recs []journal.Record
		want string
	}{
		{"nobody tried", delivery.Record{}, nil, delays.CauseNotServed},
		{"503", tried, []journal.Record{ex("success", 200), ex("transient", 503)}, delays.CauseUnavailable},
		{"no answer", tried, []journal.Record{ex(journal.OutcomeNoAnswer, 0)}, delays.CauseUnavailable},
		{"not sent", tried, []journal.Record{ex(journal.OutcomeNotSent, 0)}, delays.CauseUnavailable},
		{"maintenance", tried, []journal.Record{ex("maintenance", 503)}, delays.CauseMaintenance},
		{"throttled", tried, []journal.Record{ex("transient", 503), ex("throttled", 429)}, delays.CauseThrottled},
		{"key", delivery.Record{FirstAttempt: at, Reason: "cannot ask SONO about the in-flight attempt: no signing key in the keystore"},
			[]journal.Record{ex(journal.OutcomeNoAnswer, 0)}, delays.CauseKey},
		{"planned break", delivery.Record{FirstAttempt: at, Reason: "planned break until 06:00"}, []journal.Record{ex("transient", 503)}, delays.CausePlannedBreak},
		{"a delay entry is no exchange", delivery.Record{}, []journal.Record{{Service: journal.ServiceDelay, Outcome: journal.OutcomeDelayed}}, delays.CauseNotServed},
		{"answered, still waiting", tried, []journal.Record{ex("ambiguous", 200)}, delays.CauseUnknown},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := delays.CauseOf(c.del, c.recs)
			if got.Key != c.want || got.Text == "" {
				t.Errorf("cause %q (%s), want %q", got.Key, got.Text, c.want)
			}
			if len(c.recs) > 0 && c.want == delays.CauseUnavailable && !strings.Contains(got.Text, "+05:00") {
				t.Errorf("cause text %q: the last exchange not in Astana time", got.Text)
			}
		})
	}
}
