package ncatest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/salyq/salyq/pkg/crypto/gost3410"
	"github.com/salyq/salyq/pkg/ncakey"
)

// NCA's OIDs of a GOST 2015-512 key (docs/PROTOCOL.md §5).
var (
	oidGOST2015512Key   = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 2}
	oidGOST2015512Curve = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 2, 1}
	oidSHA256WithRSA    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
)

// issueGOST makes a GOST 2015-512 key and its certificate for req, signed
// by the (RSA) test root. crypto/x509 cannot put a GOST key into a
// certificate, so the certificate is made for a throwaway ECDSA key and
// its SubjectPublicKeyInfo is replaced by the GOST key's, NCA's way:
// OCTET STRING(x_LE ‖ y_LE), parameters SEQUENCE { curve OID }.
func (p *PKI) issueGOST(req Request) (*x509.Certificate, *gost3410.PrivateKey, error) {
	tmpl, err := p.template(req)
	if err != nil {
		return nil, nil, err
	}
	priv, err := gost3410.GenerateKey(gost3410.TC26512A(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("ncatest: GOST key: %w", err)
	}
	placeholder, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("ncatest: key: %w", err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.root, &placeholder.PublicKey, p.rootKey)
	if err != nil {
		return nil, nil, fmt.Errorf("ncatest: certificate: %w", err)
	}
	spki, err := gostSPKI(priv.Public())
	if err != nil {
		return nil, nil, err
	}
	if der, err = resign(der, spki, p.rootKey); err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("ncatest: GOST certificate: %w", err)
	}
	return cert, priv, nil
}

func gostSPKI(pub *gost3410.PublicKey) ([]byte, error) {
	params, err := asn1.Marshal([]asn1.ObjectIdentifier{oidGOST2015512Curve})
	if err != nil {
		return nil, fmt.Errorf("ncatest: GOST key parameters: %w", err)
	}
	key, err := asn1.Marshal(pub.Raw())
	if err != nil {
		return nil, fmt.Errorf("ncatest: GOST public key: %w", err)
	}
	der, err := asn1.Marshal(struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidGOST2015512Key, Parameters: asn1.RawValue{FullBytes: params}},
		Key:       asn1.BitString{Bytes: key, BitLength: 8 * len(key)},
	})
	if err != nil {
		return nil, fmt.Errorf("ncatest: GOST SubjectPublicKeyInfo: %w", err)
	}
	return der, nil
}

// resign replaces the SubjectPublicKeyInfo of certificate der and signs
// it again (SHA-256 with RSA) with the root key.
func resign(der, spki []byte, rootKey *rsa.PrivateKey) ([]byte, error) {
	var outer struct {
		TBS       asn1.RawValue
		Algorithm asn1.RawValue
		Signature asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &outer); err != nil {
		return nil, fmt.Errorf("ncatest: certificate: %w", err)
	}
	var fields []asn1.RawValue
	for rest := outer.TBS.Bytes; len(rest) > 0; {
		var f asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &f); err != nil {
			return nil, fmt.Errorf("ncatest: TBSCertificate: %w", err)
		}
		fields = append(fields, f)
	}
	// version [0], serial, signature, issuer, validity, subject, SPKI, …
	const spkiIndex = 6
	if len(fields) <= spkiIndex {
		return nil, fmt.Errorf("ncatest: TBSCertificate has %d fields", len(fields))
	}
	fields[spkiIndex] = asn1.RawValue{FullBytes: spki}
	var body []byte
	for _, f := range fields {
		body = append(body, f.FullBytes...)
	}
	tbs, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	if err != nil {
		return nil, fmt.Errorf("ncatest: TBSCertificate: %w", err)
	}
	digest := sha256.Sum256(tbs)
	sig, err := rsa.SignPKCS1v15(rand.Reader, rootKey, crypto.SHA256, digest[:])
	if err != nil {
		return nil, fmt.Errorf("ncatest: sign: %w", err)
	}
	out, err := asn1.Marshal(struct {
		TBS       asn1.RawValue
		Algorithm pkix.AlgorithmIdentifier
		Signature asn1.BitString
	}{
		TBS:       asn1.RawValue{FullBytes: tbs},
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA256WithRSA, Parameters: asn1.NullRawValue},
		Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	})
	if err != nil {
		return nil, fmt.Errorf("ncatest: certificate: %w", err)
	}
	return out, nil
}

// newGOSTIssued loads a GOST key as an ncakey.Key.
func newGOSTIssued(p *PKI, cert *x509.Certificate, priv *gost3410.PrivateKey) (*Issued, error) {
	k, err := ncakey.NewGOSTKey(priv, cert, []*x509.Certificate{p.root})
	if err != nil {
		return nil, fmt.Errorf("ncatest: %w", err)
	}
	return &Issued{Key: k, gost: priv, root: p.root, encoder: p.encoder}, nil
}
