package envelope

import (
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Almaty must resolve on hosts without a zoneinfo database

	"github.com/beevik/etree"
)

// Namespaces of the SyncChannel v10 envelope.
const (
	NamespaceSOAP        = "http://schemas.xmlsoap.org/soap/envelope/"
	NamespaceSyncChannel = "http://bip.bee.kz/SyncChannel/v10/Types"
	NamespaceWSSE        = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	NamespaceWSU         = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
)

// The SONO service ids.
const (
	ServiceSend   = "SONO_FNO_SEND"
	ServiceStatus = "SONO_FNO_GET_STATUS"
)

// dateLayout is xsd:dateTime with milliseconds and a numeric offset, as the
// operator's sample writes it.
const dateLayout = "2006-01-02T15:04:05.000-07:00"

// almaty is Kazakhstan's zone. It is loaded, not fixed, because the offset
// changed from +06:00 to +05:00 on 2024-03-01.
var almaty = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		// time/tzdata is linked in, so this cannot fail.
		panic(fmt.Sprintf("envelope: Asia/Almaty: %v", err))
	}
	return loc
})

// Almaty returns Kazakhstan's time zone (Asia/Almaty: +05:00 since
// 2024-03-01, the same in Astana), in which people read times.
func Almaty() *time.Location { return almaty() }

// AlmatyTime renders t as an xsd:dateTime in Asia/Almaty time.
func AlmatyTime(t time.Time) string { return t.In(almaty()).Format(dateLayout) }

// Sender fills requestInfo/sender. Its String method hides the password so
// that a Sender printed into a log line leaks nothing.
type Sender struct {
	ID       string
	Password string
}

func (s Sender) String() string {
	if s.Password == "" {
		return s.ID
	}
	return s.ID + " (password set)"
}

// Property is a requestInfo/properties key/value pair.
type Property struct {
	Key, Value string
}

// RequestInfo is SyncMessageInfo: the routing header of a request.
type RequestInfo struct {
	MessageID     string
	CorrelationID string
	ServiceID     string
	MessageDate   time.Time
	RouteID       string
	Sender        Sender
	Properties    []Property
}

// Request is a SyncChannel SendMessage request.
type Request struct {
	Info RequestInfo
	// Data is the business element carried in requestData/data.
	Data *etree.Element
}

// Status is StatusInfo of a response.
type Status struct {
	Code, Message string
}

// ResponseInfo is SyncMessageInfoResponse.
type ResponseInfo struct {
	MessageID     string
	CorrelationID string
	ResponseDate  time.Time
	Status        Status
	SessionID     string
}

// Response is a SyncChannel SendMessageResponse.
type Response struct {
	Info ResponseInfo
	// Data is the business element in responseData/data, or nil.
	Data *etree.Element
}

// newSOAP makes an Envelope with an empty Header and a Body.
func newSOAP() (doc *etree.Document, header, body *etree.Element) {
	doc = etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	env := doc.CreateElement("soap:Envelope")
	env.CreateAttr("xmlns:soap", NamespaceSOAP)
	header = env.CreateElement("soap:Header")
	body = env.CreateElement("soap:Body")
	return doc, header, body
}

func addText(parent *etree.Element, tag, value string) {
	parent.CreateElement(tag).SetText(value)
}

func addOptional(parent *etree.Element, tag, value string) {
	if value != "" {
		addText(parent, tag, value)
	}
}

// buildRequest writes the unsigned SOAP document of a request.
func buildRequest(req *Request) (*etree.Document, *etree.Element, error) {
	in := req.Info
	for _, f := range []struct{ name, v string }{
		{"messageId", in.MessageID}, {"serviceId", in.ServiceID}, {"sender/senderId", in.Sender.ID},
	} {
		if strings.TrimSpace(f.v) == "" {
			return nil, nil, fieldErr(ErrInvalidEnvelope, "requestInfo/"+f.name, "missing")
		}
	}
	if in.MessageDate.IsZero() {
		return nil, nil, fieldErr(ErrInvalidEnvelope, "requestInfo/messageDate", "missing")
	}
	doc, header, body := newSOAP()
	sm := body.CreateElement("sc:SendMessage")
	sm.CreateAttr("xmlns:sc", NamespaceSyncChannel)
	r := sm.CreateElement("request")
	ri := r.CreateElement("requestInfo")
	addText(ri, "messageId", in.MessageID)
	addOptional(ri, "correlationId", in.CorrelationID)
	addText(ri, "serviceId", in.ServiceID)
	addText(ri, "messageDate", AlmatyTime(in.MessageDate))
	addOptional(ri, "routeId", in.RouteID)
	s := ri.CreateElement("sender")
	addText(s, "senderId", in.Sender.ID)
	addOptional(s, "password", in.Sender.Password)
	for _, p := range in.Properties {
		pe := ri.CreateElement("properties")
		addText(pe, "key", p.Key)
		addText(pe, "value", p.Value)
	}
	data := r.CreateElement("requestData").CreateElement("data")
	if req.Data != nil {
		data.AddChild(req.Data.Copy())
	}
	return doc, header, nil
}

// buildResponse writes the unsigned SOAP document of a response.
func buildResponse(resp *Response) (*etree.Document, *etree.Element, error) {
	in := resp.Info
	if in.MessageID == "" {
		return nil, nil, fieldErr(ErrInvalidEnvelope, "responseInfo/messageId", "missing")
	}
	doc, header, body := newSOAP()
	sm := body.CreateElement("sc:SendMessageResponse")
	sm.CreateAttr("xmlns:sc", NamespaceSyncChannel)
	r := sm.CreateElement("response")
	ri := r.CreateElement("responseInfo")
	addText(ri, "messageId", in.MessageID)
	addOptional(ri, "correlationId", in.CorrelationID)
	addText(ri, "responseDate", AlmatyTime(in.ResponseDate))
	st := ri.CreateElement("status")
	addText(st, "code", in.Status.Code)
	addText(st, "message", in.Status.Message)
	addOptional(ri, "sessionId", in.SessionID)
	data := r.CreateElement("responseData").CreateElement("data")
	if resp.Data != nil {
		data.AddChild(resp.Data.Copy())
	}
	return doc, header, nil
}

// soapParts returns the Header (possibly nil) and Body of a SOAP 1.1
// envelope.
func soapParts(doc *etree.Document) (header, body *etree.Element, err error) {
	env := doc.Root()
	if env.Tag != "Envelope" || env.NamespaceURI() != NamespaceSOAP {
		return nil, nil, fieldErr(ErrInvalidEnvelope, "Envelope", "root is <%s>, want a SOAP 1.1 Envelope", env.FullTag())
	}
	for _, c := range env.ChildElements() {
		if c.NamespaceURI() != NamespaceSOAP {
			return nil, nil, fieldErr(ErrInvalidEnvelope, c.FullTag(), "unexpected element in Envelope")
		}
		switch {
		case c.Tag == "Header" && header == nil && body == nil:
			header = c
		case c.Tag == "Body" && body == nil:
			body = c
		default:
			return nil, nil, fieldErr(ErrInvalidEnvelope, c.FullTag(), "unexpected or repeated element in Envelope")
		}
	}
	if body == nil {
		return nil, nil, fieldErr(ErrInvalidEnvelope, "Body", "missing")
	}
	return header, body, nil
}

// onlyElement returns the only child element of parent.
func onlyElement(parent *etree.Element, path string) (*etree.Element, error) {
	cs := parent.ChildElements()
	if len(cs) != 1 {
		return nil, fieldErr(ErrInvalidEnvelope, path, "want one element, have %d", len(cs))
	}
	return cs[0], nil
}

// unqualified returns the child named tag, insisting it has no namespace:
// the schemas set no elementFormDefault, so a qualified child is an error
// the real gateway refuses.
func unqualified(parent *etree.Element, tag, path string, required bool) (*etree.Element, error) {
	var found *etree.Element
	for _, c := range parent.ChildElements() {
		if c.Tag != tag {
			continue
		}
		if c.NamespaceURI() != "" {
			return nil, fieldErr(ErrInvalidEnvelope, path, "must be unqualified, is in namespace %q", c.NamespaceURI())
		}
		if found != nil {
			return nil, fieldErr(ErrInvalidEnvelope, path, "repeated")
		}
		found = c
	}
	if found == nil && required {
		return nil, fieldErr(ErrInvalidEnvelope, path, "missing")
	}
	return found, nil
}

func unqualifiedText(parent *etree.Element, tag, path string, required bool) (string, error) {
	el, err := unqualified(parent, tag, path, required)
	if err != nil || el == nil {
		return "", err
	}
	v := strings.TrimSpace(el.Text())
	if v == "" && required {
		return "", fieldErr(ErrInvalidEnvelope, path, "empty")
	}
	return v, nil
}

func parseDate(v, path string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fieldErr(ErrInvalidEnvelope, path, "%q is not an xsd:dateTime with offset", v)
	}
	return t, nil
}

// dataChild returns the only element inside requestData/data or
// responseData/data, nil when data is absent or empty.
func dataChild(parent *etree.Element, tag, path string) (*etree.Element, error) {
	holder, err := unqualified(parent, tag, path, true)
	if err != nil {
		return nil, err
	}
	data, err := unqualified(holder, "data", path+"/data", false)
	if err != nil || data == nil {
		return nil, err
	}
	cs := data.ChildElements()
	switch len(cs) {
	case 0:
		return nil, nil
	case 1:
		return cs[0], nil
	}
	return nil, fieldErr(ErrInvalidEnvelope, path+"/data", "holds %d elements, want one", len(cs))
}

// parseRequestBody reads SendMessage/request from a SOAP Body.
func parseRequestBody(body *etree.Element) (*Request, error) {
	sm, err := onlyElement(body, "Body")
	if err != nil {
		return nil, err
	}
	if sm.Tag != "SendMessage" || sm.NamespaceURI() != NamespaceSyncChannel {
		return nil, fieldErr(ErrInvalidEnvelope, "Body", "holds <%s>, want SendMessage in %s", sm.FullTag(), NamespaceSyncChannel)
	}
	r, err := unqualified(sm, "request", "request", true)
	if err != nil {
		return nil, err
	}
	ri, err := unqualified(r, "requestInfo", "requestInfo", true)
	if err != nil {
		return nil, err
	}
	req := &Request{}
	in := &req.Info
	texts := []struct {
		tag      string
		dst      *string
		required bool
	}{
		{"messageId", &in.MessageID, true},
		{"correlationId", &in.CorrelationID, false},
		{"serviceId", &in.ServiceID, true},
		{"routeId", &in.RouteID, false},
	}
	for _, f := range texts {
		if *f.dst, err = unqualifiedText(ri, f.tag, "requestInfo/"+f.tag, f.required); err != nil {
			return nil, err
		}
	}
	md, err := unqualifiedText(ri, "messageDate", "requestInfo/messageDate", true)
	if err != nil {
		return nil, err
	}
	if in.MessageDate, err = parseDate(md, "requestInfo/messageDate"); err != nil {
		return nil, err
	}
	s, err := unqualified(ri, "sender", "requestInfo/sender", true)
	if err != nil {
		return nil, err
	}
	if in.Sender.ID, err = unqualifiedText(s, "senderId", "requestInfo/sender/senderId", true); err != nil {
		return nil, err
	}
	if in.Sender.Password, err = unqualifiedText(s, "password", "requestInfo/sender/password", false); err != nil {
		return nil, err
	}
	for _, p := range ri.SelectElements("properties") {
		k, _ := childText(p, "key")
		v, _ := childText(p, "value")
		in.Properties = append(in.Properties, Property{Key: k, Value: v})
	}
	if req.Data, err = dataChild(r, "requestData", "requestData"); err != nil {
		return nil, err
	}
	return req, nil
}

// parseResponseBody reads SendMessageResponse/response, or a SOAP fault.
func parseResponseBody(body *etree.Element) (*Response, error) {
	el, err := onlyElement(body, "Body")
	if err != nil {
		return nil, err
	}
	if el.Tag == "Fault" && el.NamespaceURI() == NamespaceSOAP {
		return nil, parseFault(el)
	}
	if el.Tag != "SendMessageResponse" || el.NamespaceURI() != NamespaceSyncChannel {
		return nil, fieldErr(ErrInvalidEnvelope, "Body", "holds <%s>, want SendMessageResponse", el.FullTag())
	}
	r, err := unqualified(el, "response", "response", true)
	if err != nil {
		return nil, err
	}
	ri, err := unqualified(r, "responseInfo", "responseInfo", true)
	if err != nil {
		return nil, err
	}
	resp := &Response{}
	in := &resp.Info
	if in.MessageID, err = unqualifiedText(ri, "messageId", "responseInfo/messageId", true); err != nil {
		return nil, err
	}
	if in.CorrelationID, err = unqualifiedText(ri, "correlationId", "responseInfo/correlationId", false); err != nil {
		return nil, err
	}
	if in.SessionID, err = unqualifiedText(ri, "sessionId", "responseInfo/sessionId", false); err != nil {
		return nil, err
	}
	rd, err := unqualifiedText(ri, "responseDate", "responseInfo/responseDate", true)
	if err != nil {
		return nil, err
	}
	if in.ResponseDate, err = parseDate(rd, "responseInfo/responseDate"); err != nil {
		return nil, err
	}
	st, err := unqualified(ri, "status", "responseInfo/status", true)
	if err != nil {
		return nil, err
	}
	if in.Status.Code, err = unqualifiedText(st, "code", "responseInfo/status/code", true); err != nil {
		return nil, err
	}
	if in.Status.Message, err = unqualifiedText(st, "message", "responseInfo/status/message", false); err != nil {
		return nil, err
	}
	if resp.Data, err = dataChild(r, "responseData", "responseData"); err != nil {
		return nil, err
	}
	return resp, nil
}
