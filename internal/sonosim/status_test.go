package sonosim_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/envelope"
)

func TestStatusProgression(t *testing.T) {
	const step = time.Minute
	common := []string{sonosim.StatusSent, sonosim.StatusDelivered, sonosim.StatusReceived, sonosim.StatusProcessing}
	for _, tc := range []struct {
		weights sonosim.Weights
		tail    []string
		message bool
	}{
		{sonosim.Weights{Posted: 1}, []string{sonosim.StatusAccepted, sonosim.StatusAwaitingPosting, sonosim.StatusPosted}, false},
		{sonosim.Weights{Processed: 1}, []string{sonosim.StatusProcessed}, false},
		{sonosim.Weights{Rejected: 1}, []string{sonosim.StatusNotAccepted}, true},
		{sonosim.Weights{PostingError: 1}, []string{sonosim.StatusAccepted, sonosim.StatusPostingError}, true},
	} {
		want := append(slices.Clone(common), tc.tail...)
		t.Run(want[len(want)-1], func(t *testing.T) {
			s := newSim(t, func(c *sonosim.Config) { c.Weights = tc.weights; c.StatusStep = step })
			reqID, _ := s.accept(s.k.individualForm(t, envelope.KindRegular))
			signer := s.k.set.IndividualSign.Signer()
			ask := func() *envelope.StatusResponse {
				t.Helper()
				r := s.status(envelope.StatusRequest{RequestID: reqID}, signer)
				if r.status != http.StatusOK || r.st == nil || r.st.Error != nil || r.st.RequestID != reqID {
					t.Fatalf("status answer %d %+v\n%s", r.status, r.st, r.body)
				}
				return r.st
			}
			st := ask()
			if len(st.History) != 1 || st.History[0].Status != sonosim.StatusSent || st.RegistrationNumber != "" {
				t.Fatalf("at filing: %+v", st)
			}
			s.clock.Add(3 * step)
			if st = ask(); len(st.History) != 4 || st.RegistrationNumber == "" {
				t.Fatalf("after 3 steps: %+v", st)
			}
			s.clock.Add(time.Hour)
			st = ask()
			var got []string
			for i, h := range st.History {
				got = append(got, h.Status)
				if !h.Date.Equal(testNow.Add(time.Duration(i) * step)) {
					t.Errorf("entry %d dated %v", i, h.Date)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("history %q, want %q", got, want)
			}
			if last := st.History[len(st.History)-1]; (last.Message != "") != tc.message {
				t.Errorf("final message %q", last.Message)
			}
		})
	}
}

func TestStatusLookup(t *testing.T) {
	s := newSim(t, func(c *sonosim.Config) { c.HandoffDelay = 30 * time.Second })
	k := s.k
	reqID, msgID := s.accept(k.individualForm(t, envelope.KindRegular))
	own := k.set.IndividualSign.Signer()
	for _, tc := range []struct {
		name    string
		advance time.Duration
		q       envelope.StatusRequest
		code    string
	}{
		{"by messageId before the hand-off", 10 * time.Second, envelope.StatusRequest{MessageID: msgID}, envelope.CodeNotFound},
		{"by requestId at once", 0, envelope.StatusRequest{RequestID: reqID}, ""},
		{"by messageId after the hand-off", 20 * time.Second, envelope.StatusRequest{MessageID: msgID}, ""},
		{"unknown messageId", 0, envelope.StatusRequest{MessageID: "00000000-0000-4000-8000-000000000000"}, envelope.CodeNotFound},
		{"unknown requestId", 0, envelope.StatusRequest{RequestID: "nope"}, envelope.CodeNotFound},
	} {
		s.clock.Add(tc.advance)
		r := s.status(tc.q, own)
		if r.st == nil || errCode(r) != tc.code {
			t.Fatalf("%s: code %q, want %q\n%s", tc.name, errCode(r), tc.code, r.body)
		}
		if tc.code == "" && r.st.RequestID != reqID {
			t.Fatalf("%s: found %s", tc.name, r.st.RequestID)
		}
	}
	if r := s.status(envelope.StatusRequest{RequestID: reqID}, k.set.HeadSign.Signer()); errCode(r) != envelope.CodeAccessDenied {
		t.Errorf("another taxpayer's status request: %q", errCode(r))
	}
	if r := s.status(envelope.StatusRequest{RequestID: reqID}, k.set.IndividualAuth.Signer()); errCode(r) != envelope.CodeFormSignature {
		t.Errorf("status request signed with an AUTH key: %q", errCode(r))
	}
	// A status request without its taxpayer signature.
	el := element(t, []byte("<fnoStatusRequest><requestId>"+reqID+"</requestId></fnoStatusRequest>"))
	body, _ := s.encode(envelope.ServiceStatus, el, k.transport.Signer())
	if r := s.postXML(body); errCode(r) != envelope.CodeFormSignature {
		t.Errorf("unsigned status request: %q", errCode(r))
	}
}
