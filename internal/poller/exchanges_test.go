package poller_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestPollsJournaled: every status poll of a form, up to its final
// status, is in the exchange journal with the form's request id, the
// request as sent and the answer as received.
func TestPollsJournaled(t *testing.T) {
	r := newRig(t, 50*time.Millisecond)
	r.exchanges = journal.NewWriter(r.js)
	store := r.openStore(filepath.Join(r.dir, "status.db"))
	p := r.startPoller("p1", store, 30*time.Second, true)
	ids := r.file(2)
	sends := r.sim.Stats().Requests[envelope.ServiceSend]
	eventually(t, 15*time.Second, "forms final", func() string {
		for _, id := range ids {
			if f, err := store.Get(id); err != nil || !store.Table().Terminal(f.State) {
				return id + " not final"
			}
		}
		return ""
	})
	p.wait(t)
	polls := 0
	for _, id := range ids {
		f, err := store.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := journal.NewReader(r.js).BySubmission(ctx, r.iin, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			if rec.Service != envelope.ServiceStatus || rec.RequestID != f.RequestID || rec.Outcome != "success" ||
				!strings.Contains(rec.Request, f.RequestID) || !strings.Contains(rec.Answer, f.RequestID) {
				t.Errorf("%s: poll journaled as %s %s %s request id %q", id, rec.Service, rec.MessageID, rec.Outcome, rec.RequestID)
			}
		}
		if last := recs[len(recs)-1]; !strings.Contains(last.Answer, string(f.State)) {
			t.Errorf("%s: the last poll's answer lacks the final status %s", id, f.State)
		}
		polls += len(recs)
	}
	st := r.sim.Stats()
	if int64(polls) != st.Requests[envelope.ServiceStatus] || st.Requests[envelope.ServiceSend] != sends {
		t.Errorf("journal holds %d polls, the sandbox saw %v", polls, st.Requests)
	}
}
