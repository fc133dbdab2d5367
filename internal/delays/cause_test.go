package delays_test

import (
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/internal/delays"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestCauseOf: a planned break under way comes first, then the worker's
// own word on its latest turn (a key), then the last exchange, then
// whether anyone tried.
func TestCauseOf(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ex := func(outcome string, status int) journal.Record {
		return journal.Record{At: at, Service: "SONO_FNO_SEND", Outcome: outcome, HTTPStatus: status}
	}
	tried := delivery.Record{FirstAttempt: at, Attempts: 3}
	nights, err := breaks.Parse("21:00-06:00")
	if err != nil {
		t.Fatal(err)
	}
	night := time.Date(2026, 3, 2, 23, 0, 0, 0, envelope.Almaty())
	for _, c := range []struct {
		name string
		now  time.Time
		del  delivery.Record
		recs []journal.Record
		want string
	}{
		{"nobody tried", time.Time{}, delivery.Record{}, nil, delays.CauseNotServed},
		{"503", time.Time{}, tried, []journal.Record{ex("success", 200), ex("transient", 503)}, delays.CauseUnavailable},
		{"no answer", time.Time{}, tried, []journal.Record{ex(journal.OutcomeNoAnswer, 0)}, delays.CauseUnavailable},
		{"not sent", time.Time{}, tried, []journal.Record{ex(journal.OutcomeNotSent, 0)}, delays.CauseUnavailable},
		{"maintenance", time.Time{}, tried, []journal.Record{ex("maintenance", 503)}, delays.CauseMaintenance},
		{"throttled", time.Time{}, tried, []journal.Record{ex("transient", 503), ex("throttled", 429)}, delays.CauseThrottled},
		{"key", time.Time{}, delivery.Record{FirstAttempt: at, Reason: "cannot ask SONO about the in-flight attempt: no signing key in the keystore"},
			[]journal.Record{ex(journal.OutcomeNoAnswer, 0)}, delays.CauseKey},
		{"planned break", night, tried, []journal.Record{ex("transient", 503)}, delays.CausePlannedBreak},
		{"after the break", night.Add(8 * time.Hour), tried, []journal.Record{ex("transient", 503)}, delays.CauseUnavailable},
		{"a delay entry is no exchange", time.Time{}, delivery.Record{}, []journal.Record{{Service: journal.ServiceDelay, Outcome: journal.OutcomeDelayed}}, delays.CauseNotServed},
		{"answered, still waiting", time.Time{}, tried, []journal.Record{ex("ambiguous", 200)}, delays.CauseUnknown},
	} {
		t.Run(c.name, func(t *testing.T) {
			now := c.now
			if now.IsZero() {
				now = at
			}
			got := delays.CauseOf(now, nights, c.del, c.recs)
			if got.Key != c.want || got.Text == "" {
				t.Errorf("cause %q (%s), want %q", got.Key, got.Text, c.want)
			}
			if len(c.recs) > 0 && c.want == delays.CauseUnavailable && !strings.Contains(got.Text, "+05:00") {
				t.Errorf("cause text %q: the last exchange not in Astana time", got.Text)
			}
		})
	}
}
