package envelope

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"fmt"

	"github.com/beevik/etree"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// WS-Security token profile URIs of the gateway's KeyIdentifier.
const (
	wssValueTypeX509v3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
	wssEncodingBase64  = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

// signSOAP signs the Body of doc with WS-Security as docs/PROTOCOL.md §3 has it:
// wsu:Id on the Body, one ds:Signature in a mustUnderstand wsse:Security,
// exclusive c14n, the whole certificate in a KeyIdentifier.
func signSOAP(ctx context.Context, doc *etree.Document, header *etree.Element, signer xmldsig.Signer, id string) error {
	_, body, err := soapParts(doc)
	if err != nil {
		return err
	}
	body.CreateAttr("xmlns:wsu", NamespaceWSU)
	body.CreateAttr("wsu:Id", id)
	sec := header.CreateElement("wsse:Security")
	sec.CreateAttr("xmlns:wsse", NamespaceWSSE)
	sec.CreateAttr("soap:mustUnderstand", "1")

	str := etree.NewElement("wsse:SecurityTokenReference")
	ki := str.CreateElement("wsse:KeyIdentifier")
	ki.CreateAttr("EncodingType", wssEncodingBase64)
	ki.CreateAttr("ValueType", wssValueTypeX509v3)
	ki.SetText(base64.StdEncoding.EncodeToString(signer.Certificate().Raw))

	_, err = xmldsig.Sign(ctx, signer, xmldsig.SignSpec{
		C14N: xmldsig.ExcC14N,
		References: []xmldsig.Reference{{
			URI:        "#" + id,
			Target:     body,
			Transforms: []string{xmldsig.ExcC14N},
		}},
		KeyInfo: []*etree.Element{str},
		Attach:  func(sig *etree.Element) { sec.AddChild(sig) },
	})
	return err
}

// verifySOAP checks the WS-Security signature of a parsed envelope and
// returns the certificate that made it. It insists that the one signature
// in the header covers exactly the Body, so a signature over some other
// element (signature wrapping) is refused.
func verifySOAP(header, body *etree.Element, known []*x509.Certificate) (*x509.Certificate, error) {
	if header == nil {
		return nil, &xmldsig.CheckError{Check: "Header", Detail: "no SOAP Header", Err: xmldsig.ErrNoSignature}
	}
	var secs []*etree.Element
	for _, c := range header.ChildElements() {
		if c.Tag == "Security" && c.NamespaceURI() == NamespaceWSSE {
			secs = append(secs, c)
		}
	}
	if len(secs) != 1 {
		return nil, &xmldsig.CheckError{Check: "wsse:Security", Detail: fmt.Sprintf("want one, have %d", len(secs)), Err: xmldsig.ErrNoSignature}
	}
	sigs := xmldsig.FindSignatures(header)
	switch {
	case len(sigs) == 0:
		return nil, &xmldsig.CheckError{Check: "wsse:Security", Detail: "no ds:Signature", Err: xmldsig.ErrNoSignature}
	case len(sigs) > 1:
		return nil, &xmldsig.CheckError{Check: "wsse:Security", Detail: fmt.Sprintf("%d signatures", len(sigs)), Err: xmldsig.ErrSeveralSignatures}
	case sigs[0].Parent() != secs[0]:
		return nil, &xmldsig.CheckError{Check: "ds:Signature", Detail: "not a child of wsse:Security", Err: xmldsig.ErrMalformed}
	}
	sig := sigs[0]
	cert, err := keyIdentifierCertificate(sig, known)
	if err != nil {
		return nil, err
	}
	bodyID := body.SelectAttrValue("wsu:Id", "")
	if a := body.SelectAttr("Id"); bodyID == "" && a != nil && a.NamespaceURI() == NamespaceWSU {
		bodyID = a.Value
	}
	resolve := func(uri string) (*etree.Element, error) {
		if bodyID == "" {
			return nil, fmt.Errorf("the Body has no wsu:Id")
		}
		if uri != "#"+bodyID {
			return nil, fmt.Errorf("points to %q, the Body is #%s", uri, bodyID)
		}
		if n := countIDs(body.Parent(), bodyID); n != 1 {
			return nil, fmt.Errorf("id %q is carried by %d elements", bodyID, n)
		}
		return body, nil
	}
	if _, err := xmldsig.Verify(sig, cert, resolve); err != nil {
		return nil, err
	}
	return cert, nil
}

// countIDs counts the elements under root whose Id attribute (any prefix)
// equals id.
func countIDs(root *etree.Element, id string) int {
	n := 0
	for _, a := range root.Attr {
		if (a.Key == "Id" || a.Key == "ID" || a.Key == "id") && a.Value == id {
			n++
		}
	}
	for _, c := range root.ChildElements() {
		n += countIDs(c, id)
	}
	return n
}

func keyIdentifierCertificate(sig *etree.Element, known []*x509.Certificate) (*x509.Certificate, error) {
	for _, ki := range sig.ChildElements() {
		if ki.Tag != "KeyInfo" || ki.NamespaceURI() != xmldsig.Namespace {
			continue
		}
		for _, str := range ki.ChildElements() {
			if str.Tag != "SecurityTokenReference" || str.NamespaceURI() != NamespaceWSSE {
				continue
			}
			for _, id := range str.ChildElements() {
				if id.Tag == "KeyIdentifier" && id.NamespaceURI() == NamespaceWSSE &&
					id.SelectAttrValue("ValueType", "") == wssValueTypeX509v3 {
					return xmldsig.ParseCertificateTextKnown(id.Text(), known)
				}
			}
		}
	}
	return nil, &xmldsig.CheckError{Check: "KeyInfo", Detail: "no wsse:KeyIdentifier of ValueType X509v3", Err: xmldsig.ErrCertificate}
}
