package xmldsig

import (
	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

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

func canonicalizer(uri string) (dsig.Canonicalizer, bool) {
	switch uri {
	case C14N10:
		return dsig.MakeC14N10RecCanonicalizer(), true
	case C14N10Comments:
		return dsig.MakeC14N10WithCommentsCanonicalizer(), true
	case ExcC14N:
		return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(""), true
	case ExcC14NComments:
		return dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList(""), true
	}
	return nil, false
}

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

// detach copies el out of its tree with every namespace declaration in scope
// at its position, so that canonicalizing the copy gives the same bytes as
// canonicalizing el where it stands.
func detach(el *etree.Element) (*etree.Element, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, err
	}
	return etreeutils.NSDetatch(ctx, el)
}

// Canonicalize returns the canonical form of el, in its namespace context,
// by the canonicalization method uri.
func Canonicalize(el *etree.Element, uri string) ([]byte, error) {
	c, ok := canonicalizer(uri)
	if !ok {
		return nil, checkErr("CanonicalizationMethod", ErrUnsupportedAlgorithm, "%q", uri)
	}
	d, err := detach(el)
	if err != nil {
		return nil, checkErr("namespaces", ErrMalformed, "%v", err)
	}
	out, err := c.Canonicalize(d)
	if err != nil {
		return nil, checkErr("canonicalization", ErrMalformed, "%v", err)
	}
	return out, nil
}
