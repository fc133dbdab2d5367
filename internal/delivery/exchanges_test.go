package delivery_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestWorkerJournalsExchanges: a send whose answer is lost and the status
// check that finds it filed are both in the exchange journal, the first
// as "no answer"; with the journal stream gone, the form is filed all the
// same and the missing record is logged.
func TestWorkerJournalsExchanges(t *testing.T) {
	for _, lost := range []bool{false, true} {
		name := "journal"
		if lost {
			name = "journal stream gone"
		}
		t.Run(name, func(t *testing.T) {
			r := newRig(t, sonosim.Faults{DropAfterAcceptRate: 1})
			if lost {
				if err := r.js.DeleteStream(ctx, streams.Journal); err != nil {
					t.Fatal(err)
				}
			}
			var logs bytes.Buffer
			sub := r.publish(t, "sub-journal", r.signedForm(t, envelope.KindRegular, 1_000_000), envelope.KindRegular)
			receipts := reader(t, r.js, streams.Status)
			stop := r.runChecked(t, func(c *delivery.Config) {
				c.Exchanges = journal.NewWriter(r.js)
				c.Log = slog.New(slog.NewTextHandler(&logs, nil))
			})
			rc := nextReceipt(t, receipts, 15*time.Second)
			stop()
			if lost {
				if !strings.Contains(logs.String(), "exchange not journaled") {
					t.Errorf("a lost record was not logged:\n%s", logs.String())
				}
				return
			}
			recs, err := journal.NewReader(r.js).BySubmission(ctx, testkit.MustKeys(t).Taxpayer.Identity().IIN, sub.id)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 2 {
				t.Fatalf("%d exchanges journaled, want the send and the status check: %+v", len(recs), recs)
			}
			send, check := recs[0], recs[1]
			if send.Service != envelope.ServiceSend || send.Outcome != journal.OutcomeNoAnswer || send.MessageID != rc.MessageID || send.Answer != "" {
				t.Errorf("send journaled as %s %s %s, answer %d bytes", send.Service, send.Outcome, send.MessageID, len(send.Answer))
			}
			if check.Service != envelope.ServiceStatus || check.Outcome != "success" || check.RequestID != rc.RequestID ||
				!strings.Contains(check.Request, rc.MessageID) || !strings.Contains(check.Answer, rc.RequestID) {
				t.Errorf("status check journaled as %s %s request id %q", check.Service, check.Outcome, check.RequestID)
			}
		})
	}
}
