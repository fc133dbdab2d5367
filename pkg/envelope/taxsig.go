package envelope

import (
	"context"
	"crypto/x509"
	"errors"
	"time"

	"github.com/beevik/etree"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// SignOptions tunes the taxpayer-signature checks.
type SignOptions struct {
	// Now is the time the certificate must be valid at.
	Now time.Time
	// AllowTestIdentities accepts the NCA test IIN/BIN. Test environment
	// only.
	AllowTestIdentities bool
	// C14N is the canonicalization of the enveloped signature; empty means
	// inclusive c14n 1.0 without comments, as NCA signing tools use.
	C14N string
}

// SignForm signs an unsigned form with the taxpayer's key: an enveloped
// XMLDSig as the last child of fno. It refuses, before signing anything, a
// key that may not sign (AUTH-only), one not valid at opts.Now, and one
// belonging to another taxpayer than the form's.
func SignForm(ctx context.Context, f *Form, signer xmldsig.Signer, opts SignOptions) ([]byte, error) {
	if len(xmldsig.FindSignatures(f.Element())) > 0 {
		return nil, fieldErr(ErrInvalidForm, "Signature", "the form is already signed")
	}
	if err := checkSigner(signer.Certificate(), f.Taxpayer, opts.Now, opts.AllowTestIdentities); err != nil {
		return nil, err
	}
	doc := f.doc.Copy()
	if err := signEnveloped(ctx, doc, signer, opts.C14N); err != nil {
		return nil, err
	}
	return doc.WriteToBytes()
}

// checkSigner refuses a certificate that may not sign for taxpayer at t.
func checkSigner(cert *x509.Certificate, taxpayer string, t time.Time, allowTest bool) error {
	id, err := ncakey.ParseIdentity(cert, allowTest)
	if err != nil {
		return keyErr("certificate", err)
	}
	if err := id.CheckCanSign(); err != nil {
		return keyErr("keyUsage", err)
	}
	if err := id.CheckValidAt(t); err != nil {
		return keyErr("validity", err)
	}
	if id.TaxpayerID() != taxpayer {
		return keyErr("subject", errors.New("certificate of "+id.String()+" does not belong to taxpayer "+taxpayer))
	}
	return nil
}

// KeyError says why a certificate may not sign a document.
type KeyError struct {
	// Check is the certificate property that failed: certificate,
	// keyUsage, validity or subject.
	Check string
	Err   error
}

func (e *KeyError) Error() string {
	return "key not allowed to sign: " + e.Check + ": " + e.Err.Error()
}

// Unwrap exposes both ErrKeyNotAllowed and the ncakey cause.
func (e *KeyError) Unwrap() []error { return []error{ErrKeyNotAllowed, e.Err} }

func keyErr(check string, err error) error { return &KeyError{Check: check, Err: err} }

func signEnveloped(ctx context.Context, doc *etree.Document, signer xmldsig.Signer, c14n string) error {
	if c14n == "" {
		c14n = xmldsig.C14N10
	}
	root := doc.Root()
	_, err := xmldsig.Sign(ctx, signer, xmldsig.SignSpec{
		C14N: c14n,
		References: []xmldsig.Reference{{
			URI:        "",
			Target:     root,
			Transforms: []string{xmldsig.TransformEnveloped, c14n},
		}},
		KeyInfo: []*etree.Element{xmldsig.X509DataKeyInfo(signer.Certificate().Raw)},
		Attach:  func(sig *etree.Element) { root.AddChild(sig) },
	})
	return err
}

// verifyEnveloped checks the one enveloped signature of a standalone
// document: it must be the last child element of the root and cover the
// whole document (URI="").
func verifyEnveloped(doc *etree.Document) (*x509.Certificate, error) {
	root := doc.Root()
	sigs := xmldsig.FindSignatures(root)
	switch len(sigs) {
	case 0:
		return nil, &xmldsig.CheckError{Check: "Signature", Detail: "the document is not signed", Err: xmldsig.ErrNoSignature}
	case 1:
	default:
		return nil, &xmldsig.CheckError{Check: "Signature", Detail: "more than one", Err: xmldsig.ErrSeveralSignatures}
	}
	sig := sigs[0]
	if kids := root.ChildElements(); sig.Parent() != root || kids[len(kids)-1] != sig {
		return nil, &xmldsig.CheckError{Check: "Signature", Detail: "not the last child of the root", Err: xmldsig.ErrMalformed}
	}
	cert, err := xmldsig.CertificateFromX509Data(sig)
	if err != nil {
		return nil, err
	}
	resolve := func(uri string) (*etree.Element, error) {
		if uri != "" {
			return nil, errors.New(`must be "" (the whole document)`)
		}
		return root, nil
	}
	if _, err := xmldsig.Verify(sig, cert, resolve); err != nil {
		return nil, err
	}
	return cert, nil
}

// SignedForm is a form whose taxpayer signature verified.
type SignedForm struct {
	*Form
	// Certificate signed the form.
	Certificate *x509.Certificate
}

// VerifyOptions tunes the checks of a signed form or status request.
type VerifyOptions struct {
	// Now is the time the signer's certificate must be valid at.
	Now time.Time
	// AllowTestIdentities accepts the NCA test IIN/BIN.
	AllowTestIdentities bool
}

// VerifyForm parses a signed form and checks its taxpayer signature: one
// enveloped signature over the whole document that verifies, by a signing
// certificate valid at opts.Now that belongs to the form's taxpayer.
func VerifyForm(data []byte, opts VerifyOptions) (*SignedForm, error) {
	doc, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	return verifyFormDoc(doc, opts)
}

// Verify checks the taxpayer signature of a parsed form, as VerifyForm
// does, without parsing the bytes again.
func (f *Form) Verify(opts VerifyOptions) (*SignedForm, error) {
	return verifyFormDoc(f.doc, opts)
}

// FormFromElement verifies a signed fno element found inside another
// document (requestData/data), as a standalone document: the namespaces of
// the envelope around it are not part of what the taxpayer signed.
func FormFromElement(el *etree.Element, opts VerifyOptions) (*SignedForm, error) {
	doc := etree.NewDocument()
	doc.SetRoot(el.Copy())
	return verifyFormDoc(doc, opts)
}

func verifyFormDoc(doc *etree.Document, opts VerifyOptions) (*SignedForm, error) {
	f, err := formFromDoc(doc, FormOptions{AllowTestIdentities: opts.AllowTestIdentities})
	if err != nil {
		return nil, err
	}
	cert, err := verifyEnveloped(doc)
	if err != nil {
		return nil, err
	}
	if err := checkSigner(cert, f.Taxpayer, opts.Now, opts.AllowTestIdentities); err != nil {
		return nil, err
	}
	return &SignedForm{Form: f, Certificate: cert}, nil
}
