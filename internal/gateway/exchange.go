package gateway

import "time"

// Exchange is one request to the gateway and its answer, byte for byte,
// for the exchange journal (internal/journal). The Request holds
// requestInfo/sender/password as sent: whoever keeps it redacts it first.
type Exchange struct {
	// Service is envelope.ServiceSend or envelope.ServiceStatus.
	Service string
	// URL is the gateway endpoint the request went to: availability is
	// reckoned per endpoint.
	URL string
	// MessageID is requestInfo/messageId of the request.
	MessageID string
	// At is when the request left, on the client's (injected) clock.
	At time.Time
	// Latency is from the request leaving to the end of the answer (or
	// of the wait for one), on the monotonic clock.
	Latency time.Duration
	// Request is the SOAP request as sent.
	Request []byte
	// Connected reports that a connection to the gateway was in hand, so
	// the request may have reached it; without it nothing was sent.
	Connected bool
	// HTTPStatus is the status of the answer; zero when none came.
	HTTPStatus int
	// Answer is the answer's body as received (possibly cut off); nil
	// when none came.
	Answer []byte
}

// Answered reports whether an answer came back.
func (e *Exchange) Answered() bool { return e.HTTPStatus != 0 }
