package gateway_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/ids"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestClientOutcomes drives the client against the sandbox gateway over
// real HTTP, configured to produce each class of outcome.
func TestClientOutcomes(t *testing.T) {
	send := func(t *testing.T, s *sim, c *gateway.Client) gateway.Outcome {
		return c.Send(ctx, ids.UUID(), form(t, envelope.KindRegular, 1_000_000))
	}
	statusOf := func(q envelope.StatusRequest) func(*testing.T, *sim, *gateway.Client) gateway.Outcome {
		return func(t *testing.T, s *sim, c *gateway.Client) gateway.Outcome {
			return c.Status(ctx, q, mustKeys(t).taxpayer.Signer())
		}
	}
	tests := []struct {
		name      string
		faults    sonosim.Faults
		configure func(*sonosim.Config)
		client    func(*gateway.Config)
		// url replaces the sandbox URL (a closed or foreign server).
		url func(t *testing.T) string
		do  func(*testing.T, *sim, *gateway.Client) gateway.Outcome

		class      gateway.Class
		code       string
		retryAfter time.Duration
		errIs      error
		check      func(*testing.T, *sim, gateway.Outcome)
	}{
		{
			name: "success receipt", do: send, class: gateway.Success,
			check: func(t *testing.T, s *sim, o gateway.Outcome) {
				if o.Receipt == nil || o.Receipt.RequestID == "" || o.Receipt.Error != nil {
					t.Errorf("receipt %+v", o.Receipt)
				}
				if f := s.srv.Filings(); len(f) != 1 || f[0].RequestID != o.Receipt.RequestID {
					t.Errorf("sandbox filings %+v", f)
				}
			},
		},
		{
			name: "business refusal DUPLICATE",
			do: func(t *testing.T, s *sim, c *gateway.Client) gateway.Outcome {
				if o := c.Send(ctx, ids.UUID(), form(t, envelope.KindRegular, 1)); o.Class != gateway.Success {
					t.Fatalf("first filing: %v", o)
				}
				return c.Send(ctx, ids.UUID(), form(t, envelope.KindRegular, 2))
			},
			class: gateway.Permanent, code: envelope.CodeDuplicate, errIs: gateway.ErrRefused,
			check: func(t *testing.T, s *sim, o gateway.Outcome) {
				if o.Receipt == nil || o.Receipt.Error == nil {
					t.Errorf("the refusal's receipt is not kept: %+v", o.Receipt)
				}
			},
		},
		{name: "HTTP 503", faults: sonosim.Faults{HTTP503Rate: 1}, do: send, class: gateway.Transient, errIs: gateway.ErrHTTPStatus},
		{name: "transient fault", faults: sonosim.Faults{TransientRate: 1}, do: send, class: gateway.Transient, code: envelope.FaultTechnical},
		{
			name: "throttled", faults: sonosim.Faults{ThrottleRPS: 1},
			do: func(t *testing.T, s *sim, c *gateway.Client) gateway.Outcome {
				// The sandbox clock stands still: both requests fall in one
				// second, the first passes.
				if o := c.Send(ctx, ids.UUID(), form(t, envelope.KindAdditional, 1)); o.Class != gateway.Success {
					t.Fatalf("first request: %v", o)
				}
				return send(t, s, c)
			},
			class: gateway.Throttled, code: envelope.FaultThrottled, retryAfter: time.Second,
		},
		{
			name:   "maintenance",
			faults: sonosim.Faults{Maintenance: sonosim.Maintenance{Every: time.Hour, For: 50 * time.Minute}},
			do: func(t *testing.T, s *sim, c *gateway.Client) gateway.Outcome {
				// 30 minutes into the hour: the break lasts 30 more.
				s.clock.Set(s.clock.Now().Add(30 * time.Minute))
				return send(t, s, c)
			},
			class: gateway.Maintenance, code: envelope.FaultMaintenance, retryAfter: 30 * time.Minute,
		},
		{
			name: "drop after accept", faults: sonosim.Faults{DropAfterAcceptRate: 1}, do: send, class: gateway.Ambiguous,
			check: func(t *testing.T, s *sim, o gateway.Outcome) {
				if st := s.srv.Stats(); st.FilingsAccepted != 1 || st.Drops != 1 {
					t.Errorf("sandbox stats %+v", st)
				}
			},
		},
		{
			name: "timeout after sending", faults: sonosim.Faults{Latency: 5 * time.Second},
			client: func(c *gateway.Config) { c.Timeout = 300 * time.Millisecond },
			do:     send, class: gateway.Ambiguous,
		},
		{
			name: "connection refused",
			url: func(t *testing.T) string {
				hs := httptest.NewServer(http.NotFoundHandler())
				hs.Close()
				return hs.URL + "/bip-sync-wss-gost/"
			},
			do: send, class: gateway.Transient,
		},
		{
			name:   "answer signed by an unknown certificate",
			client: func(c *gateway.Config) { c.GatewayCerts[0] = mustKeys(t).rogue.Certificate() },
			do:     send, class: gateway.Ambiguous, errIs: gateway.ErrUntrustedAnswer,
			check: func(t *testing.T, s *sim, o gateway.Outcome) {
				// It was filed: that is why the answer must not be ignored.
				if st := s.srv.Stats(); st.FilingsAccepted != 1 {
					t.Errorf("filings %d, want 1", st.FilingsAccepted)
				}
			},
		},
		{
			name:   "unchecked answers are accepted without gateway certs",
			client: func(c *gateway.Config) { c.GatewayCerts = nil },
			do:     send, class: gateway.Success,
		},
		{
			name: "502 from a proxy",
			url: func(t *testing.T) string {
				hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, "bad gateway", http.StatusBadGateway)
				}))
				t.Cleanup(hs.Close)
				return hs.URL
			},
			do: send, class: gateway.Ambiguous, errIs: gateway.ErrHTTPStatus,
		},
		{
			name:      "request too large",
			configure: func(c *sonosim.Config) { c.MaxBodyBytes = 2000 },
			do:        send, class: gateway.Permanent, code: envelope.FaultTooLarge,
		},
		{
			name:   "transport key that may not sign",
			client: func(c *gateway.Config) { c.Codec.Signer = mustKeys(t).transportAuth.Signer() },
			do:     send, class: gateway.Permanent, code: envelope.FaultCertificate,
		},
		{
			name:   "table override",
			faults: sonosim.Faults{TransientRate: 1},
			client: func(c *gateway.Config) {
				c.Table = gateway.DefaultTable().With(map[string]gateway.Class{envelope.FaultTechnical: gateway.Permanent})
			},
			do: send, class: gateway.Permanent, code: envelope.FaultTechnical,
		},
		{
			name:   "unknown code is ambiguous",
			faults: sonosim.Faults{TransientRate: 1},
			client: func(c *gateway.Config) { c.Table = gateway.Table{} },
			do:     send, class: gateway.Ambiguous, code: envelope.FaultTechnical,
		},
		{
			name: "status of an unknown message", do: statusOf(envelope.StatusRequest{MessageID: ids.UUID()}), class: gateway.Success,
			check: func(t *testing.T, s *sim, o gateway.Outcome) {
				if o.Status == nil || o.Status.Error == nil || o.Status.Error.Code != envelope.CodeNotFound {
					t.Errorf("status %+v, want NOT_FOUND", o.Status)
				}
			},
		},
		{
			name: "status of an unknown request id", do: statusOf(envelope.StatusRequest{RequestID: ids.UUID()}), class: gateway.Success,
			check: func(t *testing.T, s *sim, o gateway.Outcome) {
				if o.Status == nil || o.Status.Error == nil || o.Status.Error.Code != envelope.CodeNotFound {
					t.Errorf("status %+v, want NOT_FOUND", o.Status)
				}
			},
		},
		{
			name: "status by messageId of a send whose answer was lost", faults: sonosim.Faults{DropAfterAcceptRate: 1},
			do: func(t *testing.T, s *sim, c *gateway.Client) gateway.Outcome {
				msgID := ids.UUID()
				if o := c.Send(ctx, msgID, form(t, envelope.KindRegular, 7)); o.Class != gateway.Ambiguous {
					t.Fatalf("send: %v", o)
				}
				return c.Status(ctx, envelope.StatusRequest{MessageID: msgID}, mustKeys(t).taxpayer.Signer())
			},
			class: gateway.Success,
			check: func(t *testing.T, s *sim, o gateway.Outcome) {
				f := s.srv.Filings()
				if len(f) != 1 || o.Status == nil || o.Status.Error != nil || o.Status.RequestID != f[0].RequestID {
					t.Errorf("status %+v, filings %+v", o.Status, f)
				}
			},
		},
		{
			name: "status signed by someone else",
			do: func(t *testing.T, s *sim, c *gateway.Client) gateway.Outcome {
				o := c.Send(ctx, ids.UUID(), form(t, envelope.KindRegular, 8))
				if o.Class != gateway.Success {
					t.Fatalf("send: %v", o)
				}
				return c.Status(ctx, envelope.StatusRequest{RequestID: o.Receipt.RequestID}, mustKeys(t).rogue.Signer())
			},
			class: gateway.Permanent, code: envelope.CodeAccessDenied, errIs: gateway.ErrRefused,
		},
		{name: "status during HTTP 503", faults: sonosim.Faults{HTTP503Rate: 1}, do: statusOf(envelope.StatusRequest{MessageID: ids.UUID()}), class: gateway.Transient},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(t, tc.faults, tc.configure)
			url := s.url
			if tc.url != nil {
				url = tc.url(t)
			}
			c := client(t, url, tc.client)
			o := tc.do(t, s, c)
			if o.Class != tc.class {
				t.Fatalf("class %v, want %v (outcome %v, err %v)", o.Class, tc.class, o, o.Err)
			}
			if o.Code != tc.code {
				t.Errorf("code %q, want %q", o.Code, tc.code)
			}
			if o.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter %v, want %v", o.RetryAfter, tc.retryAfter)
			}
			if tc.errIs != nil && !errors.Is(o.Err, tc.errIs) {
				t.Errorf("err %v, want %v", o.Err, tc.errIs)
			}
			if o.Class != gateway.Success && (o.Reason == "" || !strings.HasPrefix(o.String(), o.Class.String())) {
				t.Errorf("outcome without a reason: %q", o.String())
			}
			if tc.check != nil {
				tc.check(t, s, o)
			}
		})
	}
}

func TestVerifies(t *testing.T) {
	s := newSim(t, sonosim.Faults{}, nil)
	if !client(t, s.url, nil).Verifies() {
		t.Error("a client with gateway certs does not verify")
	}
	if client(t, s.url, func(c *gateway.Config) { c.GatewayCerts = nil }).Verifies() {
		t.Error("a client without gateway certs claims to verify")
	}
}
