package certcheck

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"

	"github.com/salyq/salyq/pkg/crypto/gostcert"
)

// x509Algorithms maps the signature OIDs crypto/x509 can check from raw
// bytes. RSA-PSS is left out: its parameters would need parsing and NCA
// does not use it.
var x509Algorithms = map[string]x509.SignatureAlgorithm{
	"1.2.840.113549.1.1.5":  x509.SHA1WithRSA,
	"1.2.840.113549.1.1.11": x509.SHA256WithRSA,
	"1.2.840.113549.1.1.12": x509.SHA384WithRSA,
	"1.2.840.113549.1.1.13": x509.SHA512WithRSA,
	"1.2.840.10045.4.1":     x509.ECDSAWithSHA1,
	"1.2.840.10045.4.3.2":   x509.ECDSAWithSHA256,
	"1.2.840.10045.4.3.3":   x509.ECDSAWithSHA384,
	"1.2.840.10045.4.3.4":   x509.ECDSAWithSHA512,
	"1.3.101.112":           x509.PureEd25519,
}

// checkSignature checks sig over signed with issuer's key and the
// signature algorithm sigOID, GOST or one crypto/x509 knows.
func checkSignature(issuer *x509.Certificate, sigOID asn1.ObjectIdentifier, signed, sig []byte) error {
	if _, ok := gostcert.KindOfSignature(sigOID.String()); ok {
		if err := gostcert.CheckSignature(issuer, sigOID, signed, sig); err != nil {
			return fmt.Errorf("%w: %w", ErrBadSignature, err)
		}
		return nil
	}
	alg, ok := x509Algorithms[sigOID.String()]
	if !ok {
		return fmt.Errorf("signature algorithm %s: %w", sigOID, ErrUnsupported)
	}
	if err := issuer.CheckSignature(alg, signed, sig); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return nil
}

type certOuter struct {
	TBS       asn1.RawValue
	Algorithm algID
	Signature asn1.BitString
}

// checkCertSignature checks that parent signed cert. The CA constraints
// are checked separately (checkIssuer) so that their errors stay typed;
// crypto/x509 is used only for the signature itself.
func checkCertSignature(cert, parent *x509.Certificate) error {
	if cert.SignatureAlgorithm != x509.UnknownSignatureAlgorithm {
		if err := parent.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
			return fmt.Errorf("%w: %w", ErrBadSignature, err)
		}
		return nil
	}
	var c certOuter
	if _, err := asn1.Unmarshal(cert.Raw, &c); err != nil {
		return fmt.Errorf("certificate: %w: %v", ErrBadSignature, err)
	}
	return checkSignature(parent, c.Algorithm.OID, cert.RawTBSCertificate, cert.Signature)
}
