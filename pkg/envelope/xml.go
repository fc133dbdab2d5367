package envelope

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"

	"github.com/beevik/etree"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// parseXML reads a document, refusing DOCTYPE and entity declarations:
// nothing salyq exchanges needs them, and they are the door to entity
// expansion attacks. A leading UTF-8 BOM, which Java gateways write, is
// dropped.
func parseXML(data []byte) (*etree.Document, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if err := refuseDirectives(data); err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, fieldErr(ErrMalformedXML, "document", "%v", err)
	}
	if doc.Root() == nil {
		return nil, fieldErr(ErrMalformedXML, "document", "no root element")
	}
	return doc, nil
}

// refuseDirectives scans the token stream for <!DOCTYPE …> and <!ENTITY …>.
func refuseDirectives(data []byte) error {
	// Entity declarations can only live inside a DOCTYPE, so a document
	// without the word needs no token scan. A hit may be inside CDATA or a
	// comment: the scan below tells those apart.
	if !bytes.Contains(data, []byte("<!DOCTYPE")) {
		return nil
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fieldErr(ErrMalformedXML, "document", "%v", err)
		}
		if dir, ok := tok.(xml.Directive); ok {
			return fieldErr(ErrMalformedXML, "DOCTYPE", "declarations are not accepted (%.20q…)", string(dir))
		}
	}
}

// child returns the first child element named tag, or nil.
func child(parent *etree.Element, tag string) *etree.Element {
	for _, c := range parent.ChildElements() {
		if c.Tag == tag {
			return c
		}
	}
	return nil
}

// childText returns the trimmed text of the child named tag, and whether
// the child exists.
func childText(parent *etree.Element, tag string) (string, bool) {
	c := child(parent, tag)
	if c == nil {
		return "", false
	}
	return string(bytes.TrimSpace([]byte(c.Text()))), true
}
