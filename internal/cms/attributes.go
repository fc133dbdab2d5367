package cms

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// parseAttributes reads the contents of a SET OF Attribute.
func parseAttributes(set cryptobyte.String) ([]attribute, error) {
	var attrs []attribute
	for !set.Empty() {
		var a, values cryptobyte.String
		var at attribute
		if !set.ReadASN1(&a, cbasn1.SEQUENCE) ||
			!a.ReadASN1ObjectIdentifier(&at.oid) ||
			!a.ReadASN1(&values, cbasn1.SET) || !a.Empty() {
			return nil, malformed("Attribute")
		}
		for !values.Empty() {
			var v cryptobyte.String
			var tag cbasn1.Tag
			if !values.ReadAnyASN1Element(&v, &tag) {
				return nil, malformed("AttributeValue")
			}
			at.values = append(at.values, v)
		}
		attrs = append(attrs, at)
	}
	return attrs, nil
}

// checkSignedAttrs enforces RFC 5652 §5.3/§11: exactly one contentType
// equal to eContentType, exactly one messageDigest equal to digest, and at
// most one signingTime, which it returns.
func checkSignedAttrs(raw []byte, contentType asn1.ObjectIdentifier, digest []byte) (time.Time, error) {
	var signingTime time.Time
	attrs, err := signedAttributes(raw)
	if err != nil {
		return signingTime, err
	}
	var seenType, seenDigest, seenTime bool
	for _, a := range attrs {
		var seen *bool
		switch {
		case a.oid.Equal(oidAttrContentType):
			seen = &seenType
		case a.oid.Equal(oidAttrMessageDigest):
			seen = &seenDigest
		case a.oid.Equal(oidAttrSigningTime):
			seen = &seenTime
		default:
			continue
		}
		if *seen || len(a.values) != 1 {
			return signingTime, &MalformedError{Where: "signedAttrs", Err: fmt.Errorf("attribute %s repeated", a.oid)}
		}
		*seen = true
		v := cryptobyte.String(a.values[0])
		switch {
		case a.oid.Equal(oidAttrContentType):
			var oid asn1.ObjectIdentifier
			if !v.ReadASN1ObjectIdentifier(&oid) || !v.Empty() {
				return signingTime, malformed("contentType attribute")
			}
			if !oid.Equal(contentType) {
				return signingTime, &MalformedError{Where: "contentType attribute", Err: fmt.Errorf("%s, eContentType is %s", oid, contentType)}
			}
		case a.oid.Equal(oidAttrMessageDigest):
			var md []byte
			if !v.ReadASN1Bytes(&md, cbasn1.OCTET_STRING) || !v.Empty() {
				return signingTime, malformed("messageDigest attribute")
			}
			// Kalkan stores the hash exactly as the hash function
			// outputs it (gost-engine order); no reversal.
			if !bytes.Equal(md, digest) {
				return signingTime, fmt.Errorf("messageDigest: %w", ErrDigestMismatch)
			}
		default:
			t, err := readTime(&v)
			if err != nil || !v.Empty() {
				return signingTime, malformed("signingTime attribute")
			}
			signingTime = t
		}
	}
	if !seenType || !seenDigest {
		return signingTime, &MalformedError{Where: "signedAttrs", Err: errors.New("contentType or messageDigest missing")}
	}
	return signingTime, nil
}

// signedAttributes parses the [0] IMPLICIT signedAttrs element.
func signedAttributes(raw []byte) ([]attribute, error) {
	in := cryptobyte.String(raw)
	var set cryptobyte.String
	if !in.ReadASN1(&set, tagCtx0Cons) || !in.Empty() {
		return nil, malformed("signedAttrs")
	}
	attrs, err := parseAttributes(set)
	if err != nil {
		return nil, fmt.Errorf("signedAttrs: %w", err)
	}
	return attrs, nil
}

// readTime reads a UTCTime or GeneralizedTime (the Time CHOICE).
func readTime(s *cryptobyte.String) (time.Time, error) {
	var t time.Time
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		if !s.ReadASN1UTCTime(&t) {
			return t, malformed("UTCTime")
		}
		return t, nil
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		return readGeneralizedTime(s)
	}
	return t, malformed("Time")
}

// readGeneralizedTime reads a GeneralizedTime allowing fractional seconds,
// which TSAs use and cryptobyte's reader refuses.
func readGeneralizedTime(s *cryptobyte.String) (time.Time, error) {
	var raw []byte
	if !s.ReadASN1Bytes(&raw, cbasn1.GeneralizedTime) {
		return time.Time{}, malformed("GeneralizedTime")
	}
	// time.Parse accepts a fractional second after the seconds field even
	// though the layout has none.
	t, err := time.Parse("20060102150405Z0700", string(raw))
	if err != nil {
		return time.Time{}, &MalformedError{Where: "GeneralizedTime", Err: err}
	}
	return t.UTC(), nil
}
