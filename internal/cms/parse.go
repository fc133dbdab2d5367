package cms

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/salyq/salyq/pkg/ber"
)

// SignedData is a parsed CMS SignedData. Parse fills it; Verify checks it.
type SignedData struct {
	// Version is the SignedData version (1 for Kalkan's, 3 for a
	// timestamp token).
	Version int64
	// DigestAlgorithms are the OIDs listed in digestAlgorithms.
	DigestAlgorithms []asn1.ObjectIdentifier
	// ContentType is the eContentType, id-data for ordinary signatures.
	ContentType asn1.ObjectIdentifier
	// Content is the eContent; nil when the signature is detached.
	Content []byte
	// Certificates are the X.509 certificates embedded in certificates.
	// Other certificate choices are skipped.
	Certificates []*x509.Certificate
	// CRLs are the raw RevocationInfoChoice elements, not interpreted.
	CRLs [][]byte

	signers []signerInfo
}

// Detached reports whether the content must be supplied to Verify.
func (sd *SignedData) Detached() bool { return sd.Content == nil }

// signerInfo is one SignerInfo, with the raw bytes verification needs.
type signerInfo struct {
	version int64
	// Exactly one of the two identifiers is set.
	issuer       []byte // DER Name of issuerAndSerialNumber
	serial       *big.Int
	subjectKeyID []byte

	digestOID    asn1.ObjectIdentifier
	signedAttrs  []byte // DER of the [0] IMPLICIT SET, tag included; nil if absent
	signatureOID asn1.ObjectIdentifier
	signature    []byte
	unsigned     []attribute
}

// attribute is one Attribute: a type and the DER of each value.
type attribute struct {
	oid    asn1.ObjectIdentifier
	values [][]byte
}

var (
	tagCtx0Cons = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagCtx1Cons = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagCtx0Prim = cbasn1.Tag(0).ContextSpecific()
)

// Parse reads a ContentInfo carrying a SignedData, in DER or BER. It checks
// structure only; Verify checks signatures.
func Parse(in []byte) (*SignedData, error) {
	der, err := ber.ToDER(in, berLimits())
	if err != nil {
		return nil, &MalformedError{Where: "encoding", Err: err}
	}
	return parseContentInfo(der)
}

// parseContentInfo reads a DER ContentInfo.
func parseContentInfo(der []byte) (*SignedData, error) {
	in := cryptobyte.String(der)
	var ci, content cryptobyte.String
	var ctype asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !in.Empty() ||
		!ci.ReadASN1ObjectIdentifier(&ctype) {
		return nil, malformed("ContentInfo")
	}
	if !ctype.Equal(oidSignedData) {
		return nil, &UnsupportedError{What: "content type", OID: ctype.String()}
	}
	if !ci.ReadASN1(&content, tagCtx0Cons) || !ci.Empty() {
		return nil, malformed("ContentInfo")
	}
	sd, err := parseSignedData(content)
	if err != nil {
		return nil, err
	}
	return sd, nil
}

// parseSignedData reads the [0] EXPLICIT contents of the ContentInfo.
func parseSignedData(content cryptobyte.String) (*SignedData, error) {
	var s, algs, encap cryptobyte.String
	sd := &SignedData{}
	if !content.ReadASN1(&s, cbasn1.SEQUENCE) || !content.Empty() ||
		!s.ReadASN1Integer(&sd.Version) ||
		!s.ReadASN1(&algs, cbasn1.SET) ||
		!s.ReadASN1(&encap, cbasn1.SEQUENCE) {
		return nil, malformed("SignedData")
	}
	for !algs.Empty() {
		oid, err := readAlgorithm(&algs)
		if err != nil {
			return nil, fmt.Errorf("digestAlgorithms: %w", err)
		}
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, oid)
	}
	if err := sd.parseEncap(encap); err != nil {
		return nil, err
	}
	var certs, crls cryptobyte.String
	var hasCerts, hasCRLs bool
	if !s.ReadOptionalASN1(&certs, &hasCerts, tagCtx0Cons) ||
		!s.ReadOptionalASN1(&crls, &hasCRLs, tagCtx1Cons) {
		return nil, malformed("SignedData")
	}
	for !certs.Empty() {
		var raw cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&raw, &tag) {
			return nil, malformed("certificates")
		}
		if tag != cbasn1.SEQUENCE {
			continue // attribute or other certificate formats
		}
		c, err := x509.ParseCertificate(raw)
		if err != nil {
			return nil, &MalformedError{Where: "certificate", Err: err}
		}
		sd.Certificates = append(sd.Certificates, c)
	}
	for !crls.Empty() {
		var raw cryptobyte.String
		var tag cbasn1.Tag
		if !crls.ReadAnyASN1Element(&raw, &tag) {
			return nil, malformed("crls")
		}
		sd.CRLs = append(sd.CRLs, []byte(raw))
	}
	var infos cryptobyte.String
	if !s.ReadASN1(&infos, cbasn1.SET) || !s.Empty() {
		return nil, malformed("SignedData")
	}
	for !infos.Empty() {
		si, err := parseSignerInfo(&infos)
		if err != nil {
			return nil, err
		}
		sd.signers = append(sd.signers, si)
	}
	if len(sd.signers) == 0 {
		return nil, &MalformedError{Where: "signerInfos", Err: fmt.Errorf("no signers")}
	}
	return sd, nil
}

// parseEncap reads EncapsulatedContentInfo.
func (sd *SignedData) parseEncap(encap cryptobyte.String) error {
	var explicit cryptobyte.String
	var present bool
	if !encap.ReadASN1ObjectIdentifier(&sd.ContentType) ||
		!encap.ReadOptionalASN1(&explicit, &present, tagCtx0Cons) || !encap.Empty() {
		return malformed("encapContentInfo")
	}
	if present {
		var octets []byte
		if !explicit.ReadASN1Bytes(&octets, cbasn1.OCTET_STRING) || !explicit.Empty() {
			return malformed("eContent")
		}
		// An embedded empty content is still embedded, not detached.
		sd.Content = append([]byte{}, octets...)
	}
	return nil
}

// parseSignerInfo reads one SignerInfo from the signerInfos SET.
func parseSignerInfo(infos *cryptobyte.String) (signerInfo, error) {
	var si signerInfo
	var s cryptobyte.String
	if !infos.ReadASN1(&s, cbasn1.SEQUENCE) || !s.ReadASN1Integer(&si.version) {
		return si, malformed("SignerInfo")
	}
	switch {
	case s.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias, name cryptobyte.String
		si.serial = new(big.Int)
		if !s.ReadASN1(&ias, cbasn1.SEQUENCE) ||
			!ias.ReadASN1Element(&name, cbasn1.SEQUENCE) ||
			!ias.ReadASN1Integer(si.serial) || !ias.Empty() {
			return si, malformed("issuerAndSerialNumber")
		}
		si.issuer = name
	case s.PeekASN1Tag(tagCtx0Prim):
		if !s.ReadASN1Bytes(&si.subjectKeyID, tagCtx0Prim) {
			return si, malformed("subjectKeyIdentifier")
		}
	default:
		return si, malformed("SignerIdentifier")
	}
	var err error
	if si.digestOID, err = readAlgorithm(&s); err != nil {
		return si, fmt.Errorf("SignerInfo digestAlgorithm: %w", err)
	}
	if s.PeekASN1Tag(tagCtx0Cons) {
		var raw cryptobyte.String
		if !s.ReadASN1Element(&raw, tagCtx0Cons) {
			return si, malformed("signedAttrs")
		}
		si.signedAttrs = raw
	}
	if si.signatureOID, err = readAlgorithm(&s); err != nil {
		return si, fmt.Errorf("SignerInfo signatureAlgorithm: %w", err)
	}
	if !s.ReadASN1Bytes(&si.signature, cbasn1.OCTET_STRING) {
		return si, malformed("SignerInfo signature")
	}
	var unsigned cryptobyte.String
	var hasUnsigned bool
	if !s.ReadOptionalASN1(&unsigned, &hasUnsigned, tagCtx1Cons) || !s.Empty() {
		return si, malformed("SignerInfo")
	}
	if hasUnsigned {
		if si.unsigned, err = parseAttributes(unsigned); err != nil {
			return si, fmt.Errorf("unsignedAttrs: %w", err)
		}
	}
	return si, nil
}

// readAlgorithm reads an AlgorithmIdentifier and returns its OID; the
// parameters (absent or NULL for every GOST digest and signature) are
// ignored.
func readAlgorithm(s *cryptobyte.String) (asn1.ObjectIdentifier, error) {
	var alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, malformed("AlgorithmIdentifier")
	}
	if !alg.Empty() {
		var params cryptobyte.String
		var tag cbasn1.Tag
		if !alg.ReadAnyASN1Element(&params, &tag) || !alg.Empty() {
			return nil, malformed("AlgorithmIdentifier")
		}
	}
	return oid, nil
}
