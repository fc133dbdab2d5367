package certcheck

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

// CRL is a parsed certificate revocation list. Its signature is not
// checked by ParseCRL; call CheckSignatureFrom.
type CRL struct {
	// Raw is the whole DER CRL; RawTBS the signed part.
	Raw, RawTBS []byte
	// RawIssuer is the DER issuer name, compared byte-wise with
	// certificates' RawSubject as RFC 5280 path building does.
	RawIssuer []byte
	Issuer    pkix.Name
	// SignatureAlgorithm is the outer algorithm OID; Signature the value.
	SignatureAlgorithm asn1.ObjectIdentifier
	Signature          []byte
	ThisUpdate         time.Time
	NextUpdate         time.Time // zero if absent
	// Number is the CRL number extension, nil if absent.
	Number *big.Int
	// BaseNumber is the delta CRL indicator: non-nil marks a delta CRL
	// that applies on top of a base CRL with at least this number.
	BaseNumber *big.Int
	// AuthorityKeyID is the AKI keyIdentifier, nil if absent.
	AuthorityKeyID []byte
	// Entries maps the hex serial (uppercase, as serialHex) to its entry.
	Entries map[string]Entry
}

// Entry is one revoked certificate of a CRL.
type Entry struct {
	Serial    *big.Int
	RevokedAt time.Time
	Reason    Reason
}

// IsDelta reports whether the CRL is a delta CRL.
func (c *CRL) IsDelta() bool { return c.BaseNumber != nil }

// Lookup returns the entry for serial, if listed.
func (c *CRL) Lookup(serial *big.Int) (Entry, bool) {
	e, ok := c.Entries[serialHex(serial)]
	return e, ok
}

type algID struct {
	OID    asn1.ObjectIdentifier
	Params asn1.RawValue `asn1:"optional"`
}

type crlOuter struct {
	TBS       asn1.RawValue
	Algorithm algID
	Signature asn1.BitString
}

type crlTBS struct {
	Version    int `asn1:"optional,default:0"`
	Algorithm  algID
	Issuer     asn1.RawValue
	ThisUpdate time.Time
	NextUpdate time.Time        `asn1:"optional"`
	Revoked    []crlEntry       `asn1:"optional"`
	Extensions []pkix.Extension `asn1:"optional,explicit,tag:0"`
}

type crlEntry struct {
	Serial     *big.Int
	RevokedAt  time.Time
	Extensions []pkix.Extension `asn1:"optional"`
}

var (
	oidCRLNumber        = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidReasonCode       = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidInvalidityDate   = asn1.ObjectIdentifier{2, 5, 29, 24}
	oidDeltaCRLIndictor = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidIssuingDistPoint = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidCertIssuer       = asn1.ObjectIdentifier{2, 5, 29, 29}
	oidAuthorityKeyID   = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidFreshestCRL      = asn1.ObjectIdentifier{2, 5, 29, 46}
	oidAuthorityInfo    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
)

// ParseCRL parses a DER CRL. Unlike crypto/x509.ParseRevocationList it
// accepts the one deviation of real NCA CRLs: the inner and outer
// signature AlgorithmIdentifiers may differ in that one has NULL
// parameters and the other none. Any other difference is refused, since
// the inner one is what the signature covers.
func ParseCRL(der []byte) (*CRL, error) {
	var outer crlOuter
	rest, err := asn1.Unmarshal(der, &outer)
	if err != nil {
		return nil, fmt.Errorf("certcheck: CRL: %w: %v", ErrMalformedCRL, err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("certcheck: CRL: %w: trailing data", ErrMalformedCRL)
	}
	var tbs crlTBS
	if rest, err := asn1.Unmarshal(outer.TBS.FullBytes, &tbs); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("certcheck: CRL TBS: %w: %v", ErrMalformedCRL, err)
	}
	if tbs.Version != 0 && tbs.Version != 1 {
		return nil, fmt.Errorf("certcheck: CRL version %d: %w", tbs.Version, ErrMalformedCRL)
	}
	if !sameAlgorithm(outer.Algorithm, tbs.Algorithm) {
		return nil, fmt.Errorf("certcheck: CRL: %w: signature algorithm %s outside, %s inside",
			ErrMalformedCRL, outer.Algorithm.OID, tbs.Algorithm.OID)
	}
	if outer.Signature.BitLength%8 != 0 {
		return nil, fmt.Errorf("certcheck: CRL: %w: signature is not whole bytes", ErrMalformedCRL)
	}
	c := &CRL{
		Raw:                der[:len(der)-len(rest)],
		RawTBS:             outer.TBS.FullBytes,
		RawIssuer:          tbs.Issuer.FullBytes,
		SignatureAlgorithm: outer.Algorithm.OID,
		Signature:          outer.Signature.Bytes,
		ThisUpdate:         tbs.ThisUpdate,
		NextUpdate:         tbs.NextUpdate,
		Entries:            make(map[string]Entry, len(tbs.Revoked)),
	}
	var rdn pkix.RDNSequence
	if rest, err := asn1.Unmarshal(tbs.Issuer.FullBytes, &rdn); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("certcheck: CRL issuer: %w", ErrMalformedCRL)
	}
	c.Issuer.FillFromRDNSequence(&rdn)
	if err := c.readExtensions(tbs.Extensions); err != nil {
		return nil, err
	}
	for i, r := range tbs.Revoked {
		if r.Serial == nil {
			return nil, fmt.Errorf("certcheck: CRL entry %d: %w: no serial", i, ErrMalformedCRL)
		}
		e := Entry{Serial: r.Serial, RevokedAt: r.RevokedAt}
		for _, ext := range r.Extensions {
			switch {
			case ext.Id.Equal(oidReasonCode):
				var code asn1.Enumerated
				if rest, err := asn1.Unmarshal(ext.Value, &code); err != nil || len(rest) > 0 || code < 0 || code > 10 {
					return nil, fmt.Errorf("certcheck: CRL entry %s: %w: reason code", serialHex(r.Serial), ErrMalformedCRL)
				}
				e.Reason = Reason(code)
			case ext.Id.Equal(oidCertIssuer):
				// An indirect CRL would make later entries belong to
				// another issuer; NCA does not issue them.
				return nil, fmt.Errorf("certcheck: CRL entry %s: indirect CRL: %w", serialHex(r.Serial), ErrUnsupported)
			case ext.Id.Equal(oidInvalidityDate):
			case ext.Critical:
				return nil, fmt.Errorf("certcheck: CRL entry %s: critical extension %s: %w", serialHex(r.Serial), ext.Id, ErrUnsupported)
			}
		}
		c.Entries[serialHex(r.Serial)] = e
	}
	return c, nil
}

func (c *CRL) readExtensions(exts []pkix.Extension) error {
	for _, ext := range exts {
		switch {
		case ext.Id.Equal(oidCRLNumber):
			n := new(big.Int)
			if rest, err := asn1.Unmarshal(ext.Value, &n); err != nil || len(rest) > 0 || n.Sign() < 0 {
				return fmt.Errorf("certcheck: CRL number: %w", ErrMalformedCRL)
			}
			c.Number = n
		case ext.Id.Equal(oidDeltaCRLIndictor):
			n := new(big.Int)
			if rest, err := asn1.Unmarshal(ext.Value, &n); err != nil || len(rest) > 0 || n.Sign() < 0 {
				return fmt.Errorf("certcheck: delta CRL indicator: %w", ErrMalformedCRL)
			}
			c.BaseNumber = n
		case ext.Id.Equal(oidAuthorityKeyID):
			var aki struct {
				ID []byte `asn1:"optional,tag:0"`
			}
			if _, err := asn1.Unmarshal(ext.Value, &aki); err != nil {
				return fmt.Errorf("certcheck: CRL authority key identifier: %w", ErrMalformedCRL)
			}
			c.AuthorityKeyID = aki.ID
		case ext.Id.Equal(oidIssuingDistPoint):
			// Accepted without scoping: the CRL is used only for the
			// issuer it is configured for, and NCA's full CRLs cover
			// every certificate of that issuer.
		case ext.Id.Equal(oidFreshestCRL), ext.Id.Equal(oidAuthorityInfo):
		case ext.Critical:
			return fmt.Errorf("certcheck: CRL critical extension %s: %w", ext.Id, ErrUnsupported)
		}
	}
	return nil
}

// sameAlgorithm compares the outer and inner signature algorithms,
// letting absent and NULL parameters stand for each other.
func sameAlgorithm(a, b algID) bool {
	if !a.OID.Equal(b.OID) {
		return false
	}
	return bytes.Equal(normParams(a.Params), normParams(b.Params))
}

var asn1NULL = []byte{0x05, 0x00}

func normParams(p asn1.RawValue) []byte {
	if len(p.FullBytes) == 0 || bytes.Equal(p.FullBytes, asn1NULL) {
		return nil
	}
	return p.FullBytes
}

// CheckSignatureFrom checks that issuer signed the CRL: the issuer name
// and key identifier must match, and the signature must verify with the
// issuer's key (GOST with NCA conventions, or RSA/ECDSA/Ed25519).
func (c *CRL) CheckSignatureFrom(issuer *x509.Certificate) error {
	if !bytes.Equal(c.RawIssuer, issuer.RawSubject) {
		return fmt.Errorf("certcheck: CRL issued by %q, not by %q: %w", nameString(c.Issuer), nameString(issuer.Subject), ErrBadSignature)
	}
	if len(c.AuthorityKeyID) > 0 && len(issuer.SubjectKeyId) > 0 && !bytes.Equal(c.AuthorityKeyID, issuer.SubjectKeyId) {
		return fmt.Errorf("certcheck: CRL authority key identifier does not match %q: %w", nameString(issuer.Subject), ErrBadSignature)
	}
	if issuer.KeyUsage != 0 && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return fmt.Errorf("certcheck: %q may not sign CRLs: %w", nameString(issuer.Subject), ErrNotCA)
	}
	if err := checkSignature(issuer, c.SignatureAlgorithm, c.RawTBS, c.Signature); err != nil {
		return fmt.Errorf("certcheck: CRL of %q: %w", nameString(c.Issuer), err)
	}
	return nil
}
