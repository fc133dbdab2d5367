package sonosim_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestStatusNotices: the status answer carries a refusal notice with the
// reason once a filing is «Не принята», and a desk audit notice for some
// accepted filings, from the step after «Принята» or from four steps
// after the final status; each keeps its number and date whenever it is
// asked for again, and none comes before its step.
func TestStatusNotices(t *testing.T) {
	const step = time.Minute
	ask := func(t *testing.T, s *sim, reqID string) *envelope.StatusResponse {
		t.Helper()
		r := s.status(envelope.StatusRequest{RequestID: reqID}, s.k.set.IndividualSign.Signer())
		if r.status != http.StatusOK || r.st == nil || r.st.Error != nil {
			t.Fatalf("status answer %d %+v\n%s", r.status, r.st, r.body)
		}
		return r.st
	}
	t.Run("refusal", func(t *testing.T) {
		s := newSim(t, func(c *sonosim.Config) { c.Weights = sonosim.Weights{Rejected: 1}; c.StatusStep = step })
		reqID, _ := s.accept(s.k.individualForm(t, envelope.KindRegular))
		s.clock.Add(3 * step)
		if st := ask(t, s, reqID); len(st.Notices) != 0 {
			t.Fatalf("notices before the refusal: %+v", st.Notices)
		}
		s.clock.Add(step)
		st := ask(t, s, reqID)
		last := st.History[len(st.History)-1]
		if last.Status != sonosim.StatusNotAccepted || len(st.Notices) != 1 {
			t.Fatalf("at «Не принята»: history %+v, notices %+v", st.History, st.Notices)
		}
		n := st.Notices[0]
		if n.Type != envelope.NoticeRefusal || !strings.HasPrefix(n.Number, "6205-") || !n.Date.Equal(last.Date) ||
			!strings.Contains(n.Text, last.Message) {
			t.Fatalf("refusal notice %+v for %+v", n, last)
		}
		s.clock.Add(time.Hour)
		if again := ask(t, s, reqID); len(again.Notices) != 1 || again.Notices[0] != n {
			t.Fatalf("asked again: %+v, was %+v", again.Notices, n)
		}
	})
	t.Run("desk audit", func(t *testing.T) {
		s := newSim(t, func(c *sonosim.Config) {
			c.Weights = sonosim.Weights{Posted: 1, PostingError: 1, Processed: 1}
			c.StatusStep = step
		})
		var reqs []string
		for range 16 {
			reqID, _ := s.accept(s.k.individualForm(t, envelope.KindAdditional))
			reqs = append(reqs, reqID)
		}
		filed := s.clock.Now()
		// Asked at every step: a notice appears at the step it is dated,
		// not before, and stays the same after.
		seen := map[string]envelope.Notice{}
		var atStep, late int
		for k := 0; k <= 20; k++ {
			for _, id := range reqs {
				st := ask(t, s, id)
				for _, n := range st.Notices {
					if n.Type != envelope.NoticeDeskAudit || n.Number == "" || n.Text == "" {
						t.Fatalf("%s: notice %+v", id, n)
					}
					if was, ok := seen[id]; ok {
						if was != n {
							t.Fatalf("%s: notice %+v, was %+v", id, n, was)
						}
						continue
					}
					seen[id] = n
					if !n.Date.Equal(filed.Add(time.Duration(k) * step)) {
						t.Fatalf("%s: notice dated %v seen at step %d", id, n.Date, k)
					}
					final := st.History[len(st.History)-1]
					switch {
					case st.History[4].Status == sonosim.StatusAccepted && n.Date.Equal(st.History[5].Date):
						atStep++
					case n.Date.Equal(final.Date.Add(4 * step)):
						late++
					default:
						t.Fatalf("%s: desk audit notice dated %v, history %+v", id, n.Date, st.History)
					}
				}
			}
			s.clock.Add(step)
		}
		if atStep == 0 || late == 0 || atStep+late == len(reqs) {
			t.Fatalf("%d of %d accepted filings have a desk audit notice at the step after «Принята», %d after the final status; want some of each, and some without", atStep, len(reqs), late)
		}
		t.Logf("%d of %d filings audited at «Принята», %d after the final status", atStep, len(reqs), late)
	})
}
