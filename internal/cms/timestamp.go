package cms

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// verifyTimestamp checks the RFC 3161 token in si's unsigned attributes, if
// any: the token's own SignerInfo over its TSTInfo, the ESS binding of the
// TSA certificate, the TSA's extended key usage, and that the imprint is
// the hash of si's signature value. It returns nil, nil without a token.
func (sd *SignedData) verifyTimestamp(si *signerInfo) (*Timestamp, error) {
	var token []byte
	for _, a := range si.unsigned {
		if !a.oid.Equal(oidAttrTimeStampToken) {
			continue
		}
		if token != nil || len(a.values) != 1 {
			return nil, &UnsupportedError{What: "more than one timestamp token"}
		}
		token = a.values[0]
	}
	if token == nil {
		return nil, nil
	}
	tok, err := parseContentInfo(token)
	if err != nil {
		return nil, err
	}
	if !tok.ContentType.Equal(oidTSTInfo) || tok.Content == nil {
		return nil, &MalformedError{Where: "timestamp token", Err: fmt.Errorf("content type %s", tok.ContentType)}
	}
	if len(tok.signers) != 1 {
		return nil, &MalformedError{Where: "timestamp token", Err: fmt.Errorf("%d signers", len(tok.signers))}
	}
	tsi := &tok.signers[0]
	if tsi.signedAttrs == nil {
		return nil, &MalformedError{Where: "timestamp token", Err: errors.New("no signed attributes")}
	}
	// The token's own unsigned attributes are not followed: a TSA does not
	// timestamp its own tokens, and recursion would be unbounded.
	signer, err := tok.verifySigner(tsi, tok.Content)
	if err != nil {
		return nil, err
	}
	if err := checkSigningCertificate(tsi.signedAttrs, signer.Certificate); err != nil {
		return nil, err
	}
	if err := checkTSACertificate(signer.Certificate); err != nil {
		return nil, err
	}
	ts, imprint, err := parseTSTInfo(tok.Content)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(imprint, ts.ImprintAlgorithm.digest(si.signature)) {
		return nil, fmt.Errorf("messageImprint: %w", ErrDigestMismatch)
	}
	ts.Signer = signer
	ts.Certificates = tok.Certificates
	return ts, nil
}

// checkTSACertificate requires the time-stamping extended key usage that
// RFC 3161 §2.3 demands of a TSA certificate; otherwise any signing key
// could issue tokens. (NCA's TSA certificate marks it critical.)
func checkTSACertificate(c *x509.Certificate) error {
	if !slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
		return fmt.Errorf("%w: %s", ErrNotTimestampAuthority, c.Subject.CommonName)
	}
	return nil
}

// parseTSTInfo reads the fields of a TSTInfo that matter here and checks
// that the optional tail is well formed.
func parseTSTInfo(der []byte) (*Timestamp, []byte, error) {
	in := cryptobyte.String(der)
	var s, mi cryptobyte.String
	var version int64
	ts := &Timestamp{SerialNumber: new(big.Int)}
	if !in.ReadASN1(&s, cbasn1.SEQUENCE) || !in.Empty() ||
		!s.ReadASN1Integer(&version) ||
		!s.ReadASN1ObjectIdentifier(&ts.Policy) ||
		!s.ReadASN1(&mi, cbasn1.SEQUENCE) {
		return nil, nil, malformed("TSTInfo")
	}
	if version != 1 {
		return nil, nil, &UnsupportedError{What: fmt.Sprintf("TSTInfo version %d", version)}
	}
	oid, err := readAlgorithm(&mi)
	if err != nil {
		return nil, nil, fmt.Errorf("messageImprint: %w", err)
	}
	var imprint []byte
	if !mi.ReadASN1Bytes(&imprint, cbasn1.OCTET_STRING) || !mi.Empty() ||
		!s.ReadASN1Integer(ts.SerialNumber) {
		return nil, nil, malformed("TSTInfo")
	}
	if ts.GenTime, err = readGeneralizedTime(&s); err != nil {
		return nil, nil, err
	}
	for !s.Empty() { // accuracy, ordering, nonce, tsa, extensions
		var e cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadAnyASN1Element(&e, &tag) {
			return nil, nil, malformed("TSTInfo")
		}
	}
	if ts.ImprintAlgorithm, err = lookupDigest(oid); err != nil {
		return nil, nil, err
	}
	return ts, imprint, nil
}

// checkSigningCertificate enforces RFC 3161 §2.4.1: the token's signed
// attributes identify the TSA certificate by hash (ESS signingCertificate
// with SHA-1, or signingCertificateV2), so the certificate cannot be
// swapped for another with the same key.
func checkSigningCertificate(signedAttrs []byte, cert *x509.Certificate) error {
	attrs, err := signedAttributes(signedAttrs)
	if err != nil {
		return err
	}
	for _, a := range attrs {
		v2 := a.oid.Equal(oidAttrSigningCertV2)
		if !v2 && !a.oid.Equal(oidAttrSigningCert) {
			continue
		}
		if len(a.values) != 1 {
			return malformed("signingCertificate attribute")
		}
		v := cryptobyte.String(a.values[0])
		var sc, ids, id cryptobyte.String
		if !v.ReadASN1(&sc, cbasn1.SEQUENCE) || !sc.ReadASN1(&ids, cbasn1.SEQUENCE) ||
			!ids.ReadASN1(&id, cbasn1.SEQUENCE) {
			return malformed("signingCertificate attribute")
		}
		hashOID := oidSHA1
		if v2 {
			hashOID = oidSHA256 // the DEFAULT of ESSCertIDv2
			if id.PeekASN1Tag(cbasn1.SEQUENCE) {
				if hashOID, err = readAlgorithm(&id); err != nil {
					return fmt.Errorf("ESSCertIDv2: %w", err)
				}
			}
		}
		var certHash []byte
		if !id.ReadASN1Bytes(&certHash, cbasn1.OCTET_STRING) {
			return malformed("ESSCertID")
		}
		alg, err := lookupDigest(hashOID)
		if err != nil {
			return err
		}
		if !bytes.Equal(certHash, alg.digest(cert.Raw)) {
			return fmt.Errorf("ESS certificate hash: %w", ErrDigestMismatch)
		}
		return nil
	}
	return &MalformedError{Where: "timestamp token", Err: errors.New("no ESS signingCertificate attribute")}
}
