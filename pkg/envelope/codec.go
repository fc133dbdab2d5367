package envelope

import (
	"context"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/beevik/etree"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// Codec writes SyncChannel messages. Its clock and id source are injected so
// that output is reproducible; its signer is the sending system's transport
// key (nil writes unsigned messages, for endpoints without WS-Security).
type Codec struct {
	// Signer signs the Body with WS-Security; nil leaves messages unsigned.
	Signer xmldsig.Signer
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// NewID returns a fresh UUID string; it names messages and Body ids.
	NewID func() string
}

func (c *Codec) now() time.Time {
	if c.Clock == nil {
		return time.Now()
	}
	return c.Clock()
}

// EncodeRequest writes a SendMessage request. An empty MessageID or zero
// MessageDate is filled from the codec's id source and clock, and req is
// updated so the caller learns what was written.
func (c *Codec) EncodeRequest(ctx context.Context, req *Request) ([]byte, error) {
	if req.Info.MessageID == "" {
		req.Info.MessageID = c.NewID()
	}
	if req.Info.MessageDate.IsZero() {
		req.Info.MessageDate = c.now()
	}
	doc, header, err := buildRequest(req)
	if err != nil {
		return nil, err
	}
	return c.finish(ctx, doc, header)
}

// EncodeResponse writes a SendMessageResponse, filling an empty MessageID
// and zero ResponseDate.
func (c *Codec) EncodeResponse(ctx context.Context, resp *Response) ([]byte, error) {
	if resp.Info.MessageID == "" {
		resp.Info.MessageID = c.NewID()
	}
	if resp.Info.ResponseDate.IsZero() {
		resp.Info.ResponseDate = c.now()
	}
	doc, header, err := buildResponse(resp)
	if err != nil {
		return nil, err
	}
	return c.finish(ctx, doc, header)
}

// EncodeFault writes a SOAP fault carrying info (which may be nil). A zero
// info.Date is filled from the clock.
func (c *Codec) EncodeFault(ctx context.Context, faultCode, faultString string, info *ErrorInfo) ([]byte, error) {
	if info != nil && info.Date.IsZero() {
		info.Date = c.now()
	}
	doc, header := buildFault(faultCode, faultString, info)
	return c.finish(ctx, doc, header)
}

func (c *Codec) finish(ctx context.Context, doc *etree.Document, header *etree.Element) ([]byte, error) {
	if c.Signer != nil {
		if err := signSOAP(ctx, doc, header, c.Signer, "id-"+c.NewID()); err != nil {
			return nil, err
		}
	}
	// Written as built, never indented: the signature covers these bytes'
	// canonical form, and re-indenting would change it.
	return doc.WriteToBytes()
}

// Message is a parsed SOAP envelope: read once, then verified and decoded.
type Message struct {
	header, body *etree.Element
}

// ReadMessage parses a SOAP 1.1 envelope, refusing DOCTYPEs.
func ReadMessage(data []byte) (*Message, error) {
	doc, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	header, body, err := soapParts(doc)
	if err != nil {
		return nil, err
	}
	return &Message{header: header, body: body}, nil
}

// Verify checks the WS-Security signature over the Body and returns the
// signing certificate. Judging that certificate (chain, usage, validity) is
// the caller's business.
func (m *Message) Verify() (*x509.Certificate, error) { return verifySOAP(m.header, m.body, nil) }

// VerifyKnown is Verify for a caller that knows the certificates it
// trusts: one of them named by the signature is used as already parsed.
// The certificate returned still has to be judged.
func (m *Message) VerifyKnown(known []*x509.Certificate) (*x509.Certificate, error) {
	return verifySOAP(m.header, m.body, known)
}

// ClaimedSigner returns the certificate the WS-Security signature names,
// without verifying anything: for telling an operator who signed an
// answer that failed Verify, never for trusting it.
func (m *Message) ClaimedSigner() (*x509.Certificate, error) {
	if m.header == nil {
		return nil, &xmldsig.CheckError{Check: "Header", Detail: "no SOAP Header", Err: xmldsig.ErrNoSignature}
	}
	sigs := xmldsig.FindSignatures(m.header)
	if len(sigs) != 1 {
		return nil, &xmldsig.CheckError{Check: "wsse:Security", Detail: fmt.Sprintf("%d signatures", len(sigs)), Err: xmldsig.ErrNoSignature}
	}
	return keyIdentifierCertificate(sigs[0], nil)
}

// Signed reports whether the header carries a wsse:Security element.
func (m *Message) Signed() bool {
	if m.header == nil {
		return false
	}
	for _, c := range m.header.ChildElements() {
		if c.Tag == "Security" && c.NamespaceURI() == NamespaceWSSE {
			return true
		}
	}
	return false
}

// Request decodes SendMessage/request.
func (m *Message) Request() (*Request, error) { return parseRequestBody(m.body) }

// Response decodes SendMessageResponse/response. A SOAP fault comes back as
// a *FaultError.
func (m *Message) Response() (*Response, error) { return parseResponseBody(m.body) }
