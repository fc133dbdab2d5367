package journal

import (
	"time"

	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/pkg/envelope"
)

// Outcomes of an exchange besides the gateway's classes (success,
// transient, throttled, maintenance, permanent, ambiguous).
const (
	// OutcomeNoAnswer: the request went out and no answer came back (the
	// connection closed, the request timed out).
	OutcomeNoAnswer = "no answer"
	// OutcomeNotSent: no connection to the gateway was made, so the
	// request never left.
	OutcomeNotSent = "not sent"
	// OutcomeDelayed is the outcome of a delay entry (ServiceDelay).
	OutcomeDelayed = "delayed"
)

// ServiceDelay is the Service of a delay entry: not an exchange, but the
// record that a form was still not accepted by SONO an hour after it was
// submitted (PROTOCOL.md §6, seed 003 §30). Its Code is the cause
// (internal/delays), Reason says it in words, Since is when the form was
// submitted, and it has no request, answer or message id.
const ServiceDelay = "delay"

// Record is one exchange with the gateway.
type Record struct {
	// At is when the request left, in Astana time (envelope.Almaty:
	// +05:00 since March 2024), so that the stored RFC 3339 time carries
	// the offset people read.
	At time.Time `json:"at"`
	// ID is the submission, Taxpayer its taxpayer.
	ID       string `json:"id"`
	Taxpayer string `json:"taxpayer"`
	// Service is SONO_FNO_SEND or SONO_FNO_GET_STATUS.
	Service string `json:"service"`
	// MessageID is requestInfo/messageId of the request.
	MessageID string `json:"messageId"`
	// RequestID is SONO's id of the filing, when known: from the receipt
	// of a send, or the one a poll asked about.
	RequestID string `json:"requestId,omitempty"`
	// Outcome is OutcomeNoAnswer, OutcomeNotSent or Class.
	Outcome string `json:"outcome"`
	// Class, Code and Reason are the gateway client's reading of it.
	Class  string `json:"class"`
	Code   string `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
	// HTTPStatus is the answer's status; zero without an answer.
	HTTPStatus int `json:"httpStatus,omitempty"`
	// Latency is from the request leaving to the end of the answer.
	Latency time.Duration `json:"latencyNs"`
	// Request is the request as sent, its password redacted.
	Request string `json:"request"`
	// Answer is the answer's body as received; empty without one.
	Answer string `json:"answer,omitempty"`
	// Endpoint is the gateway URL the request went to.
	Endpoint string `json:"endpoint,omitempty"`
	// Since is, for a delay entry, when the form was submitted.
	Since time.Time `json:"since,omitzero"`
}

// Delay reports whether r is a delay entry rather than an exchange.
func (r *Record) Delay() bool { return r.Service == ServiceDelay }

// Answered reports whether the exchange had an answer.
func (r *Record) Answered() bool { return r.HTTPStatus != 0 }

// New is the record of o's exchange for submission id of taxpayer, and
// false when o made no request. requestID is SONO's id of the filing
// when the caller knows it (a poll); otherwise it comes from the answer.
func New(id, taxpayer, requestID string, o gateway.Outcome) (Record, bool) {
	ex := o.Exchange
	if ex == nil {
		return Record{}, false
	}
	switch {
	case requestID != "":
	case o.Receipt != nil:
		requestID = o.Receipt.RequestID
	case o.Status != nil:
		// A status check by messageId learns the request id here.
		requestID = o.Status.RequestID
	}
	r := Record{
		At: ex.At.In(envelope.Almaty()), ID: id, Taxpayer: taxpayer, Service: ex.Service, MessageID: ex.MessageID,
		RequestID: requestID, Class: o.Class.String(), Code: o.Code, Reason: o.Reason,
		HTTPStatus: ex.HTTPStatus, Latency: ex.Latency, Request: string(ex.Request), Endpoint: ex.URL,
	}
	switch {
	case ex.Answered():
		r.Outcome, r.Answer = r.Class, string(ex.Answer)
	case ex.Connected:
		r.Outcome = OutcomeNoAnswer
	default:
		r.Outcome = OutcomeNotSent
	}
	return r, true
}
