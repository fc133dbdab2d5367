package gateway

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strconv"
	"time"

	"github.com/beevik/etree"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// Config configures a Client.
type Config struct {
	// URL is the SyncChannel endpoint.
	URL string
	// HTTP is the HTTP client; nil means a dedicated one.
	HTTP *http.Client
	// Timeout bounds one request; zero means 60 s, the time the gateway
	// is given to accept a message (seed 004, ch.3 §5.3).
	Timeout time.Duration
	// Codec writes requests: its Signer is the organisation's transport
	// key; its Clock and NewID are injected.
	Codec *envelope.Codec
	// Sender fills requestInfo/sender.
	Sender envelope.Sender
	// GatewayCerts are the certificates the gateway signs answers with.
	// When set, an answer not signed by one of them is Ambiguous.
	GatewayCerts []*x509.Certificate
	// SuccessCodes are responseInfo/status codes meaning success; empty
	// means SCSS001 and Success.
	SuccessCodes []string
	// Table classifies error codes; nil means DefaultTable().
	Table Table
	// Log receives untrusted and ambiguous answers, each cause once at
	// ERROR; nil discards.
	Log *slog.Logger
	// Observer hears of every request: its service, outcome class and
	// duration; nil: nobody.
	Observer Observer
}

// Observer is told of every gateway request (metrics).
type Observer interface {
	GatewayRequest(service, class string, d time.Duration)
}

// ExchangeObserver is an Observer that is also told of every request
// that was made, with its exchange (the availability metric needs to know
// when the request left and whether an answer came).
type ExchangeObserver interface {
	GatewayExchange(ex *Exchange, o Outcome)
}

// Client talks to the gateway. It is safe for concurrent use.
type Client struct {
	cfg   Config
	alarm *alarm
}

// Reasons of ambiguous outcomes that the alarm tells apart.
const (
	reasonNoAnswer = "no answer"
	reasonCutOff   = "answer cut off"
)

// maxAnswer bounds how much of an answer is read.
const maxAnswer = 16 << 20

// NewClient returns a client for cfg.
func NewClient(cfg Config) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 60 * time.Second
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	if len(cfg.SuccessCodes) == 0 {
		cfg.SuccessCodes = []string{"SCSS001", "Success"}
	}
	if cfg.Table == nil {
		cfg.Table = DefaultTable()
	}
	return &Client{cfg: cfg, alarm: newAlarm(cfg.Log)}
}

// Verifies reports whether answers are checked against gateway
// certificates.
func (c *Client) Verifies() bool { return len(c.cfg.GatewayCerts) > 0 }

// Send files a taxpayer-signed form under messageID.
func (c *Client) Send(ctx context.Context, messageID string, form *etree.Element) Outcome {
	// Durations are measured on the monotonic clock, not the injected one.
	start := time.Now()
	ex := &Exchange{Service: envelope.ServiceSend}
	return c.observe(ctx, envelope.ServiceSend, start, withExchange(c.send(ctx, messageID, form, ex), ex))
}

func (c *Client) send(ctx context.Context, messageID string, form *etree.Element, ex *Exchange) Outcome {
	resp, o := c.roundTrip(ctx, ex, &envelope.Request{
		Info: envelope.RequestInfo{MessageID: messageID, ServiceID: envelope.ServiceSend, Sender: c.cfg.Sender},
		Data: form,
	})
	if resp == nil {
		return o
	}
	r, err := envelope.ParseReceipt(resp.Data)
	if err != nil {
		return Outcome{Class: Ambiguous, Reason: "unreadable receipt", Err: err}
	}
	if r.Error != nil {
		return Outcome{Class: c.cfg.Table.Class(r.Error.Code), Code: r.Error.Code, Reason: r.Error.Message, Receipt: r,
			Err: fmt.Errorf("%w: %s: %s", ErrRefused, r.Error.Code, r.Error.Message)}
	}
	return Outcome{Class: Success, Receipt: r}
}

// Status asks for a form's status, by request id or by the messageId of
// its send. The request is signed by the taxpayer's key. A NOT_FOUND
// answer is a Success whose Status.Error says so.
func (c *Client) Status(ctx context.Context, q envelope.StatusRequest, taxpayer xmldsig.Signer) Outcome {
	start := time.Now()
	ex := &Exchange{Service: envelope.ServiceStatus}
	return c.observe(ctx, envelope.ServiceStatus, start, withExchange(c.status(ctx, q, taxpayer, ex), ex))
}

// withExchange attaches ex to o if a request was made.
func withExchange(o Outcome, ex *Exchange) Outcome {
	if ex.Request != nil {
		o.Exchange = ex
	}
	return o
}

func (c *Client) status(ctx context.Context, q envelope.StatusRequest, taxpayer xmldsig.Signer, ex *Exchange) Outcome {
	data, err := envelope.SignStatusRequest(ctx, &q, taxpayer)
	if err != nil {
		return Outcome{Class: Permanent, Reason: "signing the status request", Err: err}
	}
	resp, o := c.roundTrip(ctx, ex, &envelope.Request{
		Info: envelope.RequestInfo{ServiceID: envelope.ServiceStatus, Sender: c.cfg.Sender},
		Data: data,
	})
	if resp == nil {
		return o
	}
	s, err := envelope.ParseStatusResponse(resp.Data)
	if err != nil {
		return Outcome{Class: Ambiguous, Reason: "unreadable status response", Err: err}
	}
	if s.Error != nil && s.Error.Code != envelope.CodeNotFound {
		return Outcome{Class: c.cfg.Table.Class(s.Error.Code), Code: s.Error.Code, Reason: s.Error.Message, Status: s,
			Err: fmt.Errorf("%w: %s: %s", ErrRefused, s.Error.Code, s.Error.Message)}
	}
	return Outcome{Class: Success, Status: s}
}

// observe reports the request to the Observer and an ambiguous outcome to
// the operator (untrusted answers are reported where they are found, with
// the certificate), and returns o.
func (c *Client) observe(ctx context.Context, service string, start time.Time, o Outcome) Outcome {
	if c.cfg.Observer != nil {
		c.cfg.Observer.GatewayRequest(service, o.Class.String(), time.Since(start))
		if eo, ok := c.cfg.Observer.(ExchangeObserver); ok && o.Exchange != nil {
			eo.GatewayExchange(o.Exchange, o)
		}
	}
	if o.Class == Ambiguous && !errors.Is(o.Err, ErrUntrustedAnswer) {
		c.alarm.ambiguous(ctx, service, o)
	}
	return o
}

// roundTrip sends one request, recording it and its answer in ex. It
// returns the decoded response, or nil and the outcome that explains why
// there is none.
func (c *Client) roundTrip(ctx context.Context, ex *Exchange, req *envelope.Request) (*envelope.Response, Outcome) {
	body, err := c.cfg.Codec.EncodeRequest(ctx, req)
	if err != nil {
		return nil, Outcome{Class: Permanent, Reason: "building the request", Err: err}
	}
	ex.URL, ex.MessageID, ex.Request, ex.At = c.cfg.URL, req.Info.MessageID, body, c.now()
	start := time.Now()
	defer func() { ex.Latency = time.Since(start) }()
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	// Once a connection is in hand the request may reach the gateway: from
	// then on a failure is ambiguous, before it the form surely was not
	// sent.
	var connected bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected = true },
	})
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return nil, Outcome{Class: Permanent, Reason: "gateway URL", Err: err}
	}
	hreq.Header.Set("Content-Type", "text/xml; charset=utf-8")
	hreq.Header.Set("SOAPAction", `""`)
	hresp, err := c.cfg.HTTP.Do(hreq)
	ex.Connected = connected
	if err != nil {
		if !connected {
			return nil, Outcome{Class: Transient, Reason: "gateway unreachable", Err: err}
		}
		return nil, Outcome{Class: Ambiguous, Reason: reasonNoAnswer, Err: err}
	}
	defer hresp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(hresp.Body, maxAnswer))
	ex.HTTPStatus, ex.Answer = hresp.StatusCode, answer
	if ex.Answer == nil {
		ex.Answer = []byte{}
	}
	if err != nil {
		return nil, Outcome{Class: Ambiguous, Reason: reasonCutOff, Err: err}
	}
	retry := retryAfter(hresp.Header.Get("Retry-After"), c.now())
	switch hresp.StatusCode {
	case http.StatusOK, http.StatusInternalServerError:
	case http.StatusTooManyRequests:
		return nil, Outcome{Class: Throttled, Code: envelope.FaultThrottled, RetryAfter: retry, Reason: "throttled"}
	case http.StatusServiceUnavailable:
		o := Outcome{Class: Transient, RetryAfter: retry, Reason: "service unavailable", Err: ErrHTTPStatus}
		if resp, fo := c.decode(answer); resp == nil && fo.Code == envelope.FaultMaintenance {
			o.Class, o.Code, o.Reason = Maintenance, fo.Code, fo.Reason
		}
		return nil, o
	case http.StatusRequestEntityTooLarge:
		return nil, Outcome{Class: Permanent, Code: envelope.FaultTooLarge, Reason: "request too large", Err: ErrHTTPStatus}
	default:
		// 502/504 from a proxy, or anything unexpected: the gateway behind
		// it may have taken the request.
		return nil, Outcome{Class: Ambiguous, Reason: hresp.Status, Err: fmt.Errorf("%w: %s", ErrHTTPStatus, hresp.Status)}
	}
	resp, o := c.decode(answer)
	if resp == nil {
		o.RetryAfter = retry
	}
	return resp, o
}

// decode reads a SOAP answer: a response, or the outcome of a fault or of
// an answer that cannot be trusted.
func (c *Client) decode(answer []byte) (*envelope.Response, Outcome) {
	msg, err := envelope.ReadMessage(answer)
	if err != nil {
		return nil, Outcome{Class: Ambiguous, Reason: "unreadable answer", Err: err}
	}
	if c.Verifies() {
		cert, err := msg.VerifyKnown(c.cfg.GatewayCerts)
		if err != nil {
			claimed, _ := msg.ClaimedSigner()
			c.alarm.untrusted(claimed, c.cfg.GatewayCerts, err)
			return nil, Outcome{Class: Ambiguous, Reason: "answer signature", Err: fmt.Errorf("%w: %w", ErrUntrustedAnswer, err)}
		}
		if !slices.ContainsFunc(c.cfg.GatewayCerts, func(g *x509.Certificate) bool { return g.Equal(cert) }) {
			c.alarm.untrusted(cert, c.cfg.GatewayCerts, nil)
			return nil, Outcome{Class: Ambiguous, Reason: "answer signed by an unknown certificate", Err: ErrUntrustedAnswer}
		}
	}
	c.alarm.trusted()
	resp, err := msg.Response()
	var fault *envelope.FaultError
	switch {
	case errors.As(err, &fault):
		if fault.Info == nil {
			return nil, Outcome{Class: Ambiguous, Reason: fault.Error(), Err: err}
		}
		return nil, Outcome{Class: c.cfg.Table.Class(fault.Info.Code), Code: fault.Info.Code, Reason: fault.Info.Message, Err: err}
	case err != nil:
		return nil, Outcome{Class: Ambiguous, Reason: "unreadable response", Err: err}
	}
	if !slices.Contains(c.cfg.SuccessCodes, resp.Info.Status.Code) {
		code := resp.Info.Status.Code
		return nil, Outcome{Class: c.cfg.Table.Class(code), Code: code, Reason: resp.Info.Status.Message,
			Err: fmt.Errorf("%w: status %s", ErrRefused, code)}
	}
	return resp, Outcome{Class: Success}
}

func (c *Client) now() time.Time {
	if c.cfg.Codec != nil && c.cfg.Codec.Clock != nil {
		return c.cfg.Codec.Clock()
	}
	return time.Now()
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
