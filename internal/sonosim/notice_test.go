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
// accepted filings from the step after «Принята»; each keeps its number
// and date whenever it is asked for again, and none comes before its step.
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
		// Up to «Принята» (index 4): no desk audit yet.
		s.clock.Add(4 * step)
		for _, id := range reqs {
			if st := ask(t, s, id); len(st.Notices) != 0 {
				t.Fatalf("%s: notices at %s: %+v", id, st.History[len(st.History)-1].Status, st.Notices)
			}
		}
		s.clock.Add(time.Hour)
		audited := 0
		for _, id := range reqs {
			st := ask(t, s, id)
			if len(st.Notices) == 0 {
				continue
			}
			audited++
			n := st.Notices[0]
			if len(st.Notices) != 1 || n.Type != envelope.NoticeDeskAudit || n.Number == "" || n.Text == "" {
				t.Fatalf("%s: notices %+v", id, st.Notices)
			}
			if st.History[4].Status != sonosim.StatusAccepted || !n.Date.Equal(st.History[5].Date) {
				t.Fatalf("%s: desk audit notice dated %v, history %+v", id, n.Date, st.History)
			}
		}
		if audited == 0 || audited == len(reqs) {
			t.Fatalf("%d of %d accepted filings have a desk audit notice, want some", audited, len(reqs))
		}
		t.Logf("%d of %d filings audited", audited, len(reqs))
	})
}
