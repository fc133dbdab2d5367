package envelope

import (
	"context"
	"crypto/x509"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// The SONO payloads follow the working model of docs/PROTOCOL.md §4b until the
// official schemas are obtained; this file is the one place that knows it.

// SONOError is errorInfo inside a SONO payload: a business refusal, as
// opposed to a gateway fault.
type SONOError struct {
	Code, Message string
}

func (e *SONOError) write(parent *etree.Element) {
	if e == nil {
		return
	}
	ei := parent.CreateElement("errorInfo")
	addText(ei, "code", e.Code)
	addText(ei, "message", e.Message)
}

func readSONOError(parent *etree.Element) *SONOError {
	ei := child(parent, "errorInfo")
	if ei == nil {
		return nil
	}
	e := &SONOError{}
	e.Code, _ = childText(ei, "code")
	e.Message, _ = childText(ei, "message")
	return e
}

// Receipt is fnoReceipt, the answer to SONO_FNO_SEND: a request id when
// SONO took the form, an error when it refused it.
type Receipt struct {
	RequestID string
	Error     *SONOError
}

// Element writes the receipt.
func (r *Receipt) Element() *etree.Element {
	el := etree.NewElement("fnoReceipt")
	addOptional(el, "requestId", r.RequestID)
	r.Error.write(el)
	return el
}

// ParseReceipt reads an fnoReceipt. It has either a request id or an error.
func ParseReceipt(el *etree.Element) (*Receipt, error) {
	if el == nil || el.Tag != "fnoReceipt" {
		return nil, fieldErr(ErrInvalidEnvelope, "responseData/data", "want fnoReceipt")
	}
	r := &Receipt{Error: readSONOError(el)}
	r.RequestID, _ = childText(el, "requestId")
	if (r.RequestID == "") == (r.Error == nil) {
		return nil, fieldErr(ErrInvalidEnvelope, "fnoReceipt", "want exactly one of requestId and errorInfo")
	}
	return r, nil
}

// StatusRequest is fnoStatusRequest: by the receipt's request id, or by the
// messageId of the original send when its answer was lost.
type StatusRequest struct {
	RequestID string
	MessageID string
}

func (s *StatusRequest) element() (*etree.Document, error) {
	if (s.RequestID == "") == (s.MessageID == "") {
		return nil, fieldErr(ErrInvalidEnvelope, "fnoStatusRequest", "want exactly one of requestId and messageId")
	}
	doc := etree.NewDocument()
	el := doc.CreateElement("fnoStatusRequest")
	addOptional(el, "requestId", s.RequestID)
	addOptional(el, "messageId", s.MessageID)
	return doc, nil
}

// SignStatusRequest writes a status request enveloped-signed by the
// taxpayer's key (seed 000: status requests are signed like forms).
func SignStatusRequest(ctx context.Context, s *StatusRequest, signer xmldsig.Signer) (*etree.Element, error) {
	doc, err := s.element()
	if err != nil {
		return nil, err
	}
	if err := signEnveloped(ctx, doc, signer, ""); err != nil {
		return nil, err
	}
	return doc.Root(), nil
}

// VerifyStatusRequest reads a signed fnoStatusRequest found in a request
// and returns it with the certificate that signed it. The caller decides
// whether that signer may ask about the form.
func VerifyStatusRequest(el *etree.Element) (*StatusRequest, *x509.Certificate, error) {
	if el == nil || el.Tag != "fnoStatusRequest" {
		return nil, nil, fieldErr(ErrInvalidEnvelope, "requestData/data", "want fnoStatusRequest")
	}
	doc := etree.NewDocument()
	doc.SetRoot(el.Copy())
	s := &StatusRequest{}
	s.RequestID, _ = childText(doc.Root(), "requestId")
	s.MessageID, _ = childText(doc.Root(), "messageId")
	if (s.RequestID == "") == (s.MessageID == "") {
		return nil, nil, fieldErr(ErrInvalidEnvelope, "fnoStatusRequest", "want exactly one of requestId and messageId")
	}
	cert, err := verifyEnveloped(doc)
	if err != nil {
		return nil, nil, err
	}
	return s, cert, nil
}

// HistoryEntry is one fnoHistoryElement: a status as SONO sent it.
type HistoryEntry struct {
	// Status is verbatim (docs/STATUSES.md); unknown values are kept as they are.
	Status  string
	Date    time.Time
	Message string
}

// Notice types the working model knows (docs/PROTOCOL.md §4b). SONO may
// send others; they are kept verbatim.
const (
	NoticeAcceptance = "acceptance"
	NoticeRefusal    = "refusal"
	NoticeDeskAudit  = "violations found by desk audit"
)

// Notice is one notification: a notice the tax office issued about the
// form (a refusal, violations found by a desk audit…).
type Notice struct {
	// Type is SONO's type of the notice, verbatim.
	Type string
	// Number is the tax office's number of the notice; it identifies the
	// notice across polls.
	Number string
	Date   time.Time
	Text   string
}

// StatusResponse is fnoStatusResponse.
type StatusResponse struct {
	RequestID          string
	RegistrationNumber string
	// History is oldest first.
	History []HistoryEntry
	// Notices are the notices issued about the form, oldest first.
	Notices []Notice
	Error   *SONOError
}

// Element writes the status response.
func (s *StatusResponse) Element() *etree.Element {
	el := etree.NewElement("fnoStatusResponse")
	addOptional(el, "requestId", s.RequestID)
	addOptional(el, "registrationNumber", s.RegistrationNumber)
	if len(s.History) > 0 {
		h := el.CreateElement("history")
		for _, e := range s.History {
			he := h.CreateElement("fnoHistoryElement")
			addText(he, "status", e.Status)
			addText(he, "date", AlmatyTime(e.Date))
			addOptional(he, "message", e.Message)
		}
	}
	if len(s.Notices) > 0 {
		ns := el.CreateElement("notifications")
		for _, n := range s.Notices {
			ne := ns.CreateElement("notification")
			addText(ne, "type", n.Type)
			addText(ne, "number", n.Number)
			addText(ne, "date", AlmatyTime(n.Date))
			addText(ne, "text", n.Text)
		}
	}
	s.Error.write(el)
	return el
}

// ParseStatusResponse reads an fnoStatusResponse.
func ParseStatusResponse(el *etree.Element) (*StatusResponse, error) {
	if el == nil || el.Tag != "fnoStatusResponse" {
		return nil, fieldErr(ErrInvalidEnvelope, "responseData/data", "want fnoStatusResponse")
	}
	s := &StatusResponse{Error: readSONOError(el)}
	s.RequestID, _ = childText(el, "requestId")
	s.RegistrationNumber, _ = childText(el, "registrationNumber")
	if h := child(el, "history"); h != nil {
		for i, he := range h.SelectElements("fnoHistoryElement") {
			var e HistoryEntry
			var ok bool
			if e.Status, ok = childText(he, "status"); !ok || e.Status == "" {
				return nil, fieldErr(ErrInvalidEnvelope, "history/fnoHistoryElement/status", "missing in entry %d", i+1)
			}
			d, _ := childText(he, "date")
			t, err := parseDate(d, "history/fnoHistoryElement/date")
			if err != nil {
				return nil, err
			}
			e.Date = t
			e.Message, _ = childText(he, "message")
			s.History = append(s.History, e)
		}
	}
	if ns := child(el, "notifications"); ns != nil {
		for i, ne := range ns.SelectElements("notification") {
			n, err := parseNotice(ne, i+1)
			if err != nil {
				return nil, err
			}
			s.Notices = append(s.Notices, n)
		}
	}
	if s.Error == nil && s.RequestID == "" {
		return nil, fieldErr(ErrInvalidEnvelope, "fnoStatusResponse/requestId", "missing")
	}
	if s.Error != nil && strings.TrimSpace(s.Error.Code) == "" {
		return nil, fieldErr(ErrInvalidEnvelope, "fnoStatusResponse/errorInfo/code", "empty")
	}
	return s, nil
}

// parseNotice reads the i-th notification. A notice without a type,
// number or date cannot be kept or told apart from the next one, so the
// answer is refused like any other malformed one; the text may be empty.
func parseNotice(ne *etree.Element, i int) (Notice, error) {
	var n Notice
	var ok bool
	if n.Type, ok = childText(ne, "type"); !ok || n.Type == "" {
		return Notice{}, fieldErr(ErrInvalidEnvelope, "notifications/notification/type", "missing in notice %d", i)
	}
	if n.Number, ok = childText(ne, "number"); !ok || n.Number == "" {
		return Notice{}, fieldErr(ErrInvalidEnvelope, "notifications/notification/number", "missing in notice %d", i)
	}
	d, _ := childText(ne, "date")
	t, err := parseDate(d, "notifications/notification/date")
	if err != nil {
		return Notice{}, err
	}
	n.Date = t
	n.Text, _ = childText(ne, "text")
	return n, nil
}
