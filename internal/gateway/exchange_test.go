package gateway_test

import (
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

// TestExchange: every outcome of a request carries the request as sent
// and the answer as received, or says that none came and whether the
// request could have left.
func TestExchange(t *testing.T) {
	at := time.Date(2026, 3, 1, 19, 0, 0, 0, time.UTC)
	refused := func(t *testing.T) string {
		hs := httptest.NewServer(http.NotFoundHandler())
		hs.Close()
		return hs.URL + "/bip-sync-wss-gost/"
	}
	tests := []struct {
		name      string
		faults    sonosim.Faults
		url       func(*testing.T) string
		status    bool
		httpCode  int
		answer    string // a substring of the answer; "" for none
		connected bool
	}{
		{name: "success", httpCode: 200, answer: "<requestId>", connected: true},
		{name: "HTTP 503", faults: sonosim.Faults{HTTP503Rate: 1}, httpCode: 503, answer: "503 Service", connected: true},
		{name: "SOAP fault", faults: sonosim.Faults{TransientRate: 1}, httpCode: 500, answer: envelope.FaultTechnical, connected: true},
		{name: "lost answer", faults: sonosim.Faults{DropAfterAcceptRate: 1}, connected: true},
		{name: "connection refused", url: refused},
		{name: "status poll", status: true, httpCode: 200, answer: "<requestId>", connected: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(t, tc.faults, nil)
			url := s.url
			if tc.url != nil {
				url = tc.url(t)
			}
			c := client(t, url, func(c *gateway.Config) { c.Codec.Clock = func() time.Time { return at } })
			messageID := ids.UUID()
			service := envelope.ServiceSend
			var o gateway.Outcome
			if tc.status {
				service = envelope.ServiceStatus
				first := c.Send(ctx, messageID, form(t, envelope.KindRegular, 1))
				o = c.Status(ctx, envelope.StatusRequest{RequestID: first.Receipt.RequestID}, mustKeys(t).taxpayer.Signer())
			} else {
				o = c.Send(ctx, messageID, form(t, envelope.KindRegular, 1))
			}
			ex := o.Exchange
			if ex == nil {
				t.Fatalf("outcome %v without an exchange", o)
			}
			if ex.Service != service || ex.MessageID == "" || (!tc.status && ex.MessageID != messageID) || !ex.At.Equal(at) {
				t.Errorf("exchange %s %s at %v", ex.Service, ex.MessageID, ex.At)
			}
			if req := string(ex.Request); !strings.Contains(req, "<messageId>"+ex.MessageID+"</messageId>") ||
				!strings.Contains(req, "<serviceId>"+service+"</serviceId>") {
				t.Errorf("the request is not the one sent: %.300s", req)
			}
			if ex.Connected != tc.connected || ex.HTTPStatus != tc.httpCode || ex.Answered() != (tc.httpCode != 0) {
				t.Errorf("connected %v status %d, want %v %d", ex.Connected, ex.HTTPStatus, tc.connected, tc.httpCode)
			}
			if tc.answer == "" && ex.Answer != nil || !strings.Contains(string(ex.Answer), tc.answer) {
				t.Errorf("answer %.300q, want one with %q", ex.Answer, tc.answer)
			}
			if ex.Latency <= 0 {
				t.Errorf("latency %v", ex.Latency)
			}
		})
	}
}
