package gostcert

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"

	"github.com/salyq/salyq/pkg/crypto/gost3410"
)

// PublicKey is a GOST public key with the kind that fixes its hash.
type PublicKey struct {
	Kind Kind
	Key  *gost3410.PublicKey
}

type spki struct {
	Algorithm struct {
		OID    asn1.ObjectIdentifier
		Params asn1.RawValue `asn1:"optional"`
	}
	Key asn1.BitString
}

// ParsePublicKey reads a GOST key from a DER SubjectPublicKeyInfo.
func ParsePublicKey(der []byte) (*PublicKey, error) {
	var s spki
	if rest, err := asn1.Unmarshal(der, &s); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("gostcert: SubjectPublicKeyInfo: %w", ErrMalformed)
	}
	kind, ok := KindOfKey(s.Algorithm.OID.String())
	if !ok {
		return nil, fmt.Errorf("gostcert: key algorithm %s: %w", s.Algorithm.OID, ErrNotGOST)
	}
	// Parameters: SEQUENCE { curve OID, [digest OID] }.
	var params []asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(s.Algorithm.Params.FullBytes, &params); err != nil || len(params) == 0 {
		return nil, fmt.Errorf("gostcert: key parameters: %w", ErrMalformed)
	}
	curve, err := gost3410.CurveByOID(params[0].String())
	if err != nil {
		return nil, fmt.Errorf("gostcert: curve %s: %w", params[0], err)
	}
	var raw []byte
	if rest, err := asn1.Unmarshal(s.Key.Bytes, &raw); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("gostcert: public key OCTET STRING: %w", ErrMalformed)
	}
	pub, err := gost3410.NewPublicKey(curve, raw)
	if err != nil {
		return nil, fmt.Errorf("gostcert: %w", err)
	}
	return &PublicKey{Kind: kind, Key: pub}, nil
}

// PublicKeyOf reads the GOST key of a certificate.
func PublicKeyOf(cert *x509.Certificate) (*PublicKey, error) {
	return ParsePublicKey(cert.RawSubjectPublicKeyInfo)
}

// Verify checks a GOST signature (r_LE‖s_LE) over msg, hashing msg with
// the key's hash.
func (p *PublicKey) Verify(msg, sig []byte) error {
	h := p.Kind.NewHash()
	h.Write(msg)
	if err := p.Key.VerifyErr(h.Sum(nil), sig); err != nil {
		return fmt.Errorf("gostcert: %w: %w", ErrBadSignature, err)
	}
	return nil
}

// CheckSignature checks that parent's key made sig over signed with the
// GOST signature algorithm sigOID (as in a certificate or CRL).
func CheckSignature(parent *x509.Certificate, sigOID asn1.ObjectIdentifier, signed, sig []byte) error {
	kind, ok := KindOfSignature(sigOID.String())
	if !ok {
		return fmt.Errorf("gostcert: signature algorithm %s: %w", sigOID, ErrNotGOST)
	}
	pub, err := PublicKeyOf(parent)
	if err != nil {
		return err
	}
	if pub.Kind != kind {
		return fmt.Errorf("gostcert: %s signature by a %s key: %w", kind, pub.Kind, ErrBadSignature)
	}
	return pub.Verify(signed, sig)
}

type certOuter struct {
	TBS       asn1.RawValue
	Algorithm struct {
		OID    asn1.ObjectIdentifier
		Params asn1.RawValue `asn1:"optional"`
	}
	Signature asn1.BitString
}

// CheckCertificateSignature checks that parent signed cert.
func CheckCertificateSignature(cert, parent *x509.Certificate) error {
	var c certOuter
	if _, err := asn1.Unmarshal(cert.Raw, &c); err != nil {
		return fmt.Errorf("gostcert: certificate: %w", ErrMalformed)
	}
	return CheckSignature(parent, c.Algorithm.OID, cert.RawTBSCertificate, cert.Signature)
}
