package xmldsig

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/beevik/etree"
)

// Reference is one element to be covered by a signature.
type Reference struct {
	// URI is written to Reference/@URI: "" for the whole document, "#id"
	// for the element carrying that Id.
	URI string
	// Target is the element URI designates.
	Target *etree.Element
	// Transforms are applied in order; the last one must be a
	// canonicalization method.
	Transforms []string
}

// SignSpec describes a signature to be made.
type SignSpec struct {
	// C14N is the CanonicalizationMethod of SignedInfo.
	C14N string
	// References lists what the signature covers.
	References []Reference
	// KeyInfo holds the children of ds:KeyInfo; nil means none.
	KeyInfo []*etree.Element
	// Attach puts the Signature element where it belongs in the document.
	// It is called after the reference digests are taken and before
	// SignedInfo is canonicalized, because inclusive canonicalization of
	// SignedInfo depends on the namespaces in scope where it ends up.
	Attach func(sig *etree.Element)
}

// Sign digests the references, builds a ds:Signature, attaches it and fills
// in the signature value made by signer. It returns the Signature element.
func Sign(ctx context.Context, signer Signer, spec SignSpec) (*etree.Element, error) {
	alg := signer.Algorithm()
	if _, ok := c14nModeOf(spec.C14N); !ok {
		return nil, checkErr("CanonicalizationMethod", ErrUnsupportedAlgorithm, "%q", spec.C14N)
	}
	sig := etree.NewElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", Namespace)
	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", spec.C14N)
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", alg.SignatureURI)
	for _, ref := range spec.References {
		digest, err := digestTarget(ref.Target, nil, ref.Transforms, alg.newHash)
		if err != nil {
			return nil, err
		}
		r := si.CreateElement("ds:Reference")
		r.CreateAttr("URI", ref.URI)
		ts := r.CreateElement("ds:Transforms")
		for _, t := range ref.Transforms {
			ts.CreateElement("ds:Transform").CreateAttr("Algorithm", t)
		}
		r.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", alg.DigestURI)
		r.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(digest))
	}
	sv := sig.CreateElement("ds:SignatureValue")
	if len(spec.KeyInfo) > 0 {
		ki := sig.CreateElement("ds:KeyInfo")
		for _, c := range spec.KeyInfo {
			ki.AddChild(c)
		}
	}
	spec.Attach(sig)

	canon, err := Canonicalize(si, spec.C14N)
	if err != nil {
		return nil, err
	}
	value, err := signer.Sign(ctx, canon)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSign, err)
	}
	sv.SetText(base64.StdEncoding.EncodeToString(value))
	return sig, nil
}

// X509DataKeyInfo returns the ds:X509Data/ds:X509Certificate KeyInfo child
// that embeds the whole DER certificate.
func X509DataKeyInfo(der []byte) *etree.Element {
	xd := etree.NewElement("ds:X509Data")
	xd.CreateElement("ds:X509Certificate").SetText(base64.StdEncoding.EncodeToString(der))
	return xd
}
