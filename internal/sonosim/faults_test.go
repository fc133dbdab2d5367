package sonosim_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestInjectedFaults: each fault mode on its own, with rate 1 or a
// schedule the fake clock walks through.
func TestInjectedFaults(t *testing.T) {
	t.Run("HTTP 503", func(t *testing.T) {
		s := newSim(t, func(c *sonosim.Config) { c.Faults.HTTP503Rate = 1 })
		r, _ := s.send(s.k.individualForm(t, envelope.KindRegular))
		if r.status != http.StatusServiceUnavailable || strings.HasPrefix(strings.TrimSpace(string(r.body)), "<") || len(r.body) == 0 {
			t.Fatalf("%d %q", r.status, r.body)
		}
		if len(s.srv.Filings()) != 0 || s.srv.Stats().Faults["http503"] != 1 {
			t.Errorf("filings %d stats %v", len(s.srv.Filings()), s.srv.Stats().Faults)
		}
	})
	t.Run("transient SOAP fault", func(t *testing.T) {
		s := newSim(t, func(c *sonosim.Config) { c.Faults.TransientRate = 1 })
		r, _ := s.send(s.k.individualForm(t, envelope.KindRegular))
		if r.status != 500 || errCode(r) != envelope.FaultTechnical || r.fault.FaultCode != "soap:Server" || len(s.srv.Filings()) != 0 {
			t.Fatalf("%d %q %+v", r.status, errCode(r), r.fault)
		}
	})
	t.Run("throttling", func(t *testing.T) {
		s := newSim(t, func(c *sonosim.Config) { c.Faults.ThrottleRPS = 2 })
		body := []byte("not even XML") // throttling comes before parsing
		for i := range 2 {
			if r := s.postXML(body); r.status != 500 || errCode(r) != envelope.FaultRequest {
				t.Fatalf("request %d: %d %q", i, r.status, errCode(r))
			}
		}
		s.clock.Add(400 * time.Millisecond)
		r := s.postXML(body)
		if r.status != http.StatusTooManyRequests || errCode(r) != envelope.FaultThrottled || r.header.Get("Retry-After") != "1" {
			t.Fatalf("third: %d %q Retry-After %q", r.status, errCode(r), r.header.Get("Retry-After"))
		}
		s.clock.Add(600 * time.Millisecond)
		if r := s.postXML(body); errCode(r) != envelope.FaultRequest {
			t.Fatalf("next second: %q", errCode(r))
		}
	})
	t.Run("latency", func(t *testing.T) {
		s := newSim(t, func(c *sonosim.Config) { c.Faults.Latency = 30 * time.Millisecond })
		start := time.Now()
		s.postXML([]byte("x"))
		if el := time.Since(start); el < 30*time.Millisecond {
			t.Fatalf("answered after %v", el)
		}
	})
	t.Run("latency tail", func(t *testing.T) {
		var mu sync.Mutex
		var slept []time.Duration
		s := newSim(t, func(c *sonosim.Config) {
			c.Faults.Latency = 10 * time.Millisecond
			c.Faults.TailRate = 1
			c.Faults.TailLatency = 5 * time.Second
			c.Sleep = func(_ context.Context, d time.Duration) error {
				mu.Lock()
				slept = append(slept, d)
				mu.Unlock()
				return nil
			}
		})
		s.postXML([]byte("x"))
		mu.Lock()
		defer mu.Unlock()
		if len(slept) != 1 || slept[0] != 5010*time.Millisecond || s.srv.Stats().Faults["latency-tail"] != 1 {
			t.Fatalf("slept %v", slept)
		}
	})
	t.Run("daily maintenance", func(t *testing.T) {
		s := newSim(t, func(c *sonosim.Config) {
			b, err := breaks.Parse("21:00-06:00")
			if err != nil {
				t.Fatal(err)
			}
			c.Faults.Maintenance.Breaks = b
		})
		form := s.k.individualForm(t, envelope.KindRegular)
		s.clock.Set(time.Date(2025, 7, 15, 16, 30, 0, 0, time.UTC)) // 21:30 in Almaty
		r, _ := s.send(form)
		if r.status != http.StatusServiceUnavailable || errCode(r) != envelope.FaultMaintenance || r.header.Get("Retry-After") != "30600" {
			t.Fatalf("at 21:30: %d %q Retry-After %q", r.status, errCode(r), r.header.Get("Retry-After"))
		}
		s.clock.Set(time.Date(2025, 7, 15, 0, 59, 0, 0, time.UTC)) // 05:59 in Almaty
		if r, _ := s.send(form); r.header.Get("Retry-After") != "60" {
			t.Fatalf("at 05:59: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
		}
		s.clock.Set(time.Date(2025, 7, 15, 1, 0, 0, 0, time.UTC)) // 06:00
		s.accept(form)
	})
	t.Run("periodic maintenance", func(t *testing.T) {
		s := newSim(t, func(c *sonosim.Config) {
			c.Faults.Maintenance = sonosim.Maintenance{Every: 10 * time.Minute, For: 2 * time.Minute}
		})
		form := s.k.individualForm(t, envelope.KindAdditional)
		s.accept(form)
		s.clock.Add(8*time.Minute + 30*time.Second)
		r, _ := s.send(form)
		if r.status != http.StatusServiceUnavailable || errCode(r) != envelope.FaultMaintenance || r.header.Get("Retry-After") != "90" {
			t.Fatalf("in the break: %d %q Retry-After %q", r.status, errCode(r), r.header.Get("Retry-After"))
		}
		s.clock.Add(90 * time.Second)
		s.accept(form)
		if st := s.srv.Stats(); st.Faults["maintenance"] != 1 || st.FilingsAccepted != 2 {
			t.Errorf("stats %+v", st)
		}
	})
	t.Run("drop after accept", func(t *testing.T) {
		s := newSim(t, func(c *sonosim.Config) { c.Faults.DropAfterAcceptRate = 1 })
		r, msgID := s.send(s.k.individualForm(t, envelope.KindRegular))
		if r.err == nil {
			t.Fatalf("the client got an answer: %d %.300s", r.status, r.body)
		}
		fs := s.srv.Filings()
		if len(fs) != 1 || fs[0].MessageID != msgID {
			t.Fatalf("filings %+v", fs)
		}
		if st := s.srv.Stats(); st.Drops != 1 || st.FilingsAccepted != 1 {
			t.Errorf("stats %+v", st)
		}
		// The careless sender's way out: ask by messageId.
		st := s.status(envelope.StatusRequest{MessageID: msgID}, s.k.set.IndividualSign.Signer())
		if st.st == nil || st.st.RequestID != fs[0].RequestID {
			t.Fatalf("status by messageId: %+v %v", st.st, st.err)
		}
	})
}
