package xmldsig

import (
	"bytes"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"hash"
	"strings"

	"github.com/beevik/etree"
)

// Resolver returns the element a Reference URI designates. Profiles use it
// to insist on what must be signed: a resolver that refuses any URI but
// the expected one turns a signature over something else into ErrReference.
type Resolver func(uri string) (*etree.Element, error)

// Verified describes a signature that passed every check.
type Verified struct {
	Algorithm Algorithm
	// Targets are the signed elements, in Reference order.
	Targets []*etree.Element
}

// Verify checks a ds:Signature element: its algorithms are known, each
// reference's digest matches the resolved content, and the signature value
// over the canonical SignedInfo verifies with cert's key. It does not judge
// the certificate itself (validity, chain, usage): that is the caller's.
func Verify(sig *etree.Element, cert *x509.Certificate, resolve Resolver) (*Verified, error) {
	si, err := onlyChild(sig, "SignedInfo")
	if err != nil {
		return nil, err
	}
	c14n, err := algorithmAttr(si, "CanonicalizationMethod")
	if err != nil {
		return nil, err
	}
	method, err := algorithmAttr(si, "SignatureMethod")
	if err != nil {
		return nil, err
	}
	alg, ok := algorithmBySignature(method)
	if !ok {
		return nil, checkErr("SignatureMethod", ErrUnsupportedAlgorithm, "%q", method)
	}
	refs := childrenNS(si, "Reference")
	if len(refs) == 0 {
		return nil, checkErr("Reference", ErrMalformed, "SignedInfo has no Reference")
	}
	out := &Verified{Algorithm: alg}
	for _, ref := range refs {
		target, err := verifyReference(sig, ref, resolve)
		if err != nil {
			return nil, err
		}
		out.Targets = append(out.Targets, target)
	}

	svEl, err := onlyChild(sig, "SignatureValue")
	if err != nil {
		return nil, err
	}
	value, err := decodeBase64(svEl.Text())
	if err != nil {
		return nil, checkErr("SignatureValue", ErrMalformed, "not base64")
	}
	canon, err := Canonicalize(si, c14n)
	if err != nil {
		return nil, err
	}
	if cert == nil {
		return nil, checkErr("KeyInfo", ErrCertificate, "no certificate")
	}
	if err := alg.verify(cert, canon, value); err != nil {
		return nil, checkErr("SignatureValue", ErrBadSignature, "%s: %v", alg.Name, err)
	}
	return out, nil
}

func verifyReference(sig, ref *etree.Element, resolve Resolver) (*etree.Element, error) {
	uri := ref.SelectAttrValue("URI", "")
	if ref.SelectAttr("URI") == nil {
		return nil, checkErr("Reference", ErrMalformed, "no URI attribute")
	}
	target, err := resolve(uri)
	if err != nil {
		return nil, checkErr("Reference", ErrReference, "URI %q: %v", uri, err)
	}
	var transforms []string
	if ts := childrenNS(ref, "Transforms"); len(ts) > 1 {
		return nil, checkErr("Transforms", ErrMalformed, "more than one Transforms element")
	} else if len(ts) == 1 {
		for _, t := range childrenNS(ts[0], "Transform") {
			transforms = append(transforms, t.SelectAttrValue("Algorithm", ""))
		}
	}
	dm, err := algorithmAttr(ref, "DigestMethod")
	if err != nil {
		return nil, err
	}
	newHash, ok := hashByDigest(dm)
	if !ok {
		return nil, checkErr("DigestMethod", ErrUnsupportedAlgorithm, "%q", dm)
	}
	dv, err := onlyChild(ref, "DigestValue")
	if err != nil {
		return nil, err
	}
	want, err := decodeBase64(dv.Text())
	if err != nil {
		return nil, checkErr("DigestValue", ErrMalformed, "not base64")
	}
	got, err := digestTarget(target, sig, transforms, newHash)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return nil, checkErr("DigestValue", ErrDigestMismatch, "reference %q", uri)
	}
	return target, nil
}

// digestTarget applies transforms to target and hashes the result. sig is
// the Signature element the enveloped-signature transform removes (nil
// while signing, when it is not yet attached).
func digestTarget(target, sig *etree.Element, transforms []string, newHash func() hash.Hash) ([]byte, error) {
	if target == nil {
		return nil, checkErr("Reference", ErrReference, "nothing to sign")
	}
	c14n := C14N10 // the default when no canonicalization transform is given
	var exclude *etree.Element
	for i, t := range transforms {
		switch t {
		case TransformEnveloped:
			exclude = sig
		case C14N10, C14N10Comments, ExcC14N, ExcC14NComments:
			if i != len(transforms)-1 {
				return nil, checkErr("Transform", ErrUnsupportedAlgorithm, "canonicalization %q must be the last transform", t)
			}
			c14n = withoutComments(t)
		default:
			return nil, checkErr("Transform", ErrUnsupportedAlgorithm, "%q", t)
		}
	}
	h := newHash()
	if err := canonicalTo(h, target, c14n, exclude); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

func childrenNS(parent *etree.Element, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range parent.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == Namespace {
			out = append(out, c)
		}
	}
	return out
}

func onlyChild(parent *etree.Element, tag string) (*etree.Element, error) {
	cs := childrenNS(parent, tag)
	switch len(cs) {
	case 1:
		return cs[0], nil
	case 0:
		return nil, checkErr(tag, ErrMalformed, "missing")
	default:
		return nil, checkErr(tag, ErrMalformed, "appears %d times", len(cs))
	}
}

func algorithmAttr(parent *etree.Element, tag string) (string, error) {
	el, err := onlyChild(parent, tag)
	if err != nil {
		return "", err
	}
	a := el.SelectAttr("Algorithm")
	if a == nil {
		return "", checkErr(tag, ErrMalformed, "no Algorithm attribute")
	}
	return a.Value, nil
}

// decodeBase64 decodes base64 text that may be folded with whitespace or
// carry &#13; line ends, as Java signers write it.
func decodeBase64(s string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(clean)
}

// FindSignatures returns every ds:Signature element under root, root
// included, in document order.
func FindSignatures(root *etree.Element) []*etree.Element {
	var out []*etree.Element
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		if e.Tag == "Signature" && e.NamespaceURI() == Namespace {
			out = append(out, e)
		}
		for _, t := range e.Child {
			if c, ok := t.(*etree.Element); ok {
				walk(c)
			}
		}
	}
	walk(root)
	return out
}

// CertificateFromX509Data reads the certificate of a KeyInfo that holds
// X509Data/X509Certificate.
func CertificateFromX509Data(sig *etree.Element) (*x509.Certificate, error) {
	ki, err := onlyChild(sig, "KeyInfo")
	if err != nil {
		return nil, checkErr("KeyInfo", ErrCertificate, "missing")
	}
	xd := childrenNS(ki, "X509Data")
	if len(xd) != 1 {
		return nil, checkErr("KeyInfo", ErrCertificate, "want one X509Data, have %d", len(xd))
	}
	certs := childrenNS(xd[0], "X509Certificate")
	if len(certs) != 1 {
		return nil, checkErr("X509Data", ErrCertificate, "want one X509Certificate, have %d", len(certs))
	}
	return ParseCertificateText(certs[0].Text())
}

// ParseCertificateText parses a base64 DER certificate as found in XML.
func ParseCertificateText(text string) (*x509.Certificate, error) {
	return ParseCertificateTextKnown(text, nil)
}

// ParseCertificateTextKnown is ParseCertificateText that returns the
// certificate of known whose DER the text holds, byte for byte, when there
// is one: a peer's certificate, sent with every message, is parsed once.
func ParseCertificateTextKnown(text string, known []*x509.Certificate) (*x509.Certificate, error) {
	der, err := decodeBase64(text)
	if err != nil {
		return nil, checkErr("X509Certificate", ErrCertificate, "not base64")
	}
	for _, k := range known {
		if bytes.Equal(k.Raw, der) {
			return k, nil
		}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, checkErr("X509Certificate", ErrCertificate, "%v", err)
	}
	return cert, nil
}
