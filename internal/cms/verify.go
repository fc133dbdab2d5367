package cms

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/salyq/salyq/pkg/crypto/gostcert"
)

// Verify checks every SignerInfo and the timestamp token each carries, and
// returns them in order. content is the signed content for a detached
// signature and must be nil or equal to the embedded content otherwise.
// Every signer must verify: the first failure is returned as a
// *SignerError and no signers are reported.
func (sd *SignedData) Verify(content []byte) ([]Signer, error) {
	switch {
	case sd.Content != nil && content != nil && !bytes.Equal(content, sd.Content):
		return nil, ErrContentConflict
	case sd.Content != nil:
		content = sd.Content
	case content == nil:
		return nil, ErrNoContent
	}
	out := make([]Signer, 0, len(sd.signers))
	for i := range sd.signers {
		si := &sd.signers[i]
		s, err := sd.verifySigner(si, content)
		if err != nil {
			return nil, &SignerError{Index: i, Err: err}
		}
		ts, err := sd.verifyTimestamp(si)
		if err != nil {
			return nil, &SignerError{Index: i, Timestamp: true, Err: err}
		}
		s.Timestamp = ts
		out = append(out, s)
	}
	return out, nil
}

// verifySigner checks one SignerInfo over content (unsigned attributes
// excepted).
func (sd *SignedData) verifySigner(si *signerInfo, content []byte) (Signer, error) {
	var s Signer
	alg, err := lookupDigest(si.digestOID)
	if err != nil {
		return s, err
	}
	cert, err := sd.findCertificate(si)
	if err != nil {
		return s, err
	}
	pub, err := gostcert.PublicKeyOf(cert)
	if errors.Is(err, gostcert.ErrNotGOST) {
		return s, &UnsupportedError{What: "signer key algorithm", OID: keyOID(cert)}
	}
	if err != nil {
		return s, &MalformedError{Where: "signer public key", Err: err}
	}
	// Kalkan writes the signature OID; RFC 4490 producers write the key
	// OID. Either must name the certificate's kind of key.
	kind, ok := gostcert.KindOfSignature(si.signatureOID.String())
	if !ok {
		kind, ok = gostcert.KindOfKey(si.signatureOID.String())
	}
	if !ok {
		return s, &UnsupportedError{What: "signature algorithm", OID: si.signatureOID.String()}
	}
	if kind != pub.Kind {
		return s, fmt.Errorf("%w: %s signature algorithm with a %s key", ErrBadSignature, kind, pub.Kind)
	}
	// gostcert hashes with the key's own hash, so any other digest
	// algorithm cannot be checked (nor is it allowed by the GOST suites).
	if alg.kind != pub.Kind {
		return s, &UnsupportedError{What: fmt.Sprintf("digest algorithm with a %s key:", pub.Kind), OID: alg.OID.String()}
	}
	s = Signer{Certificate: cert, DigestAlgorithm: alg, SignatureAlgorithm: si.signatureOID}

	signed := content
	if si.signedAttrs != nil {
		if s.SigningTime, err = checkSignedAttrs(si.signedAttrs, sd.ContentType, alg.digest(content)); err != nil {
			return s, err
		}
		// The signature covers the EXPLICIT SET OF encoding, not the
		// [0] IMPLICIT one that is transmitted (RFC 5652 §5.4).
		signed = append([]byte{0x31}, si.signedAttrs[1:]...)
	} else if !sd.ContentType.Equal(oidData) {
		return s, &MalformedError{Where: "SignerInfo", Err: fmt.Errorf("content type %s without signed attributes", sd.ContentType)}
	}
	if err := pub.Verify(signed, si.signature); err != nil {
		return s, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return s, nil
}
