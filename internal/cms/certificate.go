package cms

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// findCertificate returns the embedded certificate the SignerIdentifier
// names.
func (sd *SignedData) findCertificate(si *signerInfo) (*x509.Certificate, error) {
	for _, c := range sd.Certificates {
		if si.subjectKeyID != nil {
			if len(c.SubjectKeyId) > 0 && bytes.Equal(c.SubjectKeyId, si.subjectKeyID) {
				return c, nil
			}
			continue
		}
		if c.SerialNumber.Cmp(si.serial) == 0 && sameName(c.RawIssuer, si.issuer) {
			return c, nil
		}
	}
	if si.subjectKeyID != nil {
		return nil, fmt.Errorf("%w: subjectKeyIdentifier %x", ErrNoCertificate, si.subjectKeyID)
	}
	return nil, fmt.Errorf("%w: serial %x", ErrNoCertificate, si.serial)
}

// sameName compares two DER Names, first byte for byte and then as parsed
// RDN sequences, since a producer may re-encode the issuer's strings.
func sameName(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var ra, rb pkix.RDNSequence
	if rest, err := asn1.Unmarshal(a, &ra); err != nil || len(rest) > 0 {
		return false
	}
	if rest, err := asn1.Unmarshal(b, &rb); err != nil || len(rest) > 0 {
		return false
	}
	return ra.String() == rb.String()
}

// keyOID names a certificate's public key algorithm for error messages.
func keyOID(c *x509.Certificate) string {
	in := cryptobyte.String(c.RawSubjectPublicKeyInfo)
	var spki, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&spki, cbasn1.SEQUENCE) || !spki.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&oid) {
		return "?"
	}
	return oid.String()
}
