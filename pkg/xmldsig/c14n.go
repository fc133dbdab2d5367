package xmldsig

import "github.com/beevik/etree"

// Canonicalization and transform URIs.
const (
	C14N10             = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	C14N10Comments     = C14N10 + "#WithComments"
	ExcC14N            = "http://www.w3.org/2001/10/xml-exc-c14n#"
	ExcC14NComments    = ExcC14N + "WithComments"
	TransformEnveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
)

// Namespace is the XML Signature namespace.
const Namespace = "http://www.w3.org/2000/09/xmldsig#"

// withoutComments maps a canonicalization URI to its comment-free variant.
// Same-document references (URI="" and "#id") select a node-set without
// comments (XMLDSig §4.3.3.3), so a WithComments transform behind them
// still sees none.
func withoutComments(uri string) string {
	switch uri {
	case C14N10Comments:
		return C14N10
	case ExcC14NComments:
		return ExcC14N
	}
	return uri
}

// Canonicalize returns the canonical form of el, in its namespace context,
// by the canonicalization method uri. The tree is left as it is.
func Canonicalize(el *etree.Element, uri string) ([]byte, error) {
	return canonical(el, uri, nil)
}
