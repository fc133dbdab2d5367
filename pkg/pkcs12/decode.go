package pkcs12

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// Container is the content of a PKCS#12 file holding one private key.
type Container struct {
	// Key is *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey or
	// *GOSTKey.
	Key any
	// Certificate is the certificate whose localKeyId matches the key's;
	// failing that, the one whose public key matches, or the only
	// end-entity certificate. Nil when none can be told apart.
	Certificate *x509.Certificate
	// CAs are all other certificates, in file order.
	CAs []*x509.Certificate
}

// pfxPDU is RFC 7292's PFX. MacData is kept raw so that a damaged MacData
// cannot pass for an absent one (encoding/asn1 would skip it and ignore the
// leftovers, silently disabling the integrity check); Extra catches
// anything after it.
type pfxPDU struct {
	Version  int
	AuthSafe contentInfo
	MacData  asn1.RawValue `asn1:"optional"`
	Extra    asn1.RawValue `asn1:"optional"`
}

// contentInfo is PKCS#7's ContentInfo; Content is the [0] EXPLICIT
// wrapper, unwrapped with explicitInner.
type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

// encryptedData is PKCS#7's EncryptedData.
type encryptedData struct {
	Version              int
	EncryptedContentInfo encryptedContentInfo
}

// encryptedContentInfo is PKCS#7's EncryptedContentInfo. The content is
// [0] IMPLICIT OCTET STRING, which BER writers (Kalkan) emit constructed.
type encryptedContentInfo struct {
	ContentType                asn1.ObjectIdentifier
	ContentEncryptionAlgorithm pkix.AlgorithmIdentifier
	EncryptedContent           asn1.RawValue `asn1:"tag:0,optional"`
}

// safeBag is RFC 7292's SafeBag.
type safeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue `asn1:"tag:0,explicit"`
	Attributes []attribute   `asn1:"set,optional"`
}

// attribute is a PKCS#9 attribute; Values holds the SET OF contents.
type attribute struct {
	ID     asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

// certBag is RFC 7292's CertBag.
type certBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

// maxSafeContentsNesting bounds safeContentsBag recursion.
const maxSafeContentsNesting = 4

// decoder accumulates bags while walking the authSafe.
type decoder struct {
	password string
	verified bool // a MAC was checked, so failures are not the password's
	key      any
	keyID    []byte
	certs    []*x509.Certificate
	certIDs  [][]byte
}

// Decode parses a PKCS#12 container, verifies its MAC with password,
// decrypts its bags and returns the single private key with its
// certificates. Errors match ErrWrongPassword, ErrSeveralKeys, ErrNoKey,
// ErrUnsupported or ErrMalformed; none of them contains the password.
func Decode(data []byte, password string) (*Container, error) {
	if len(data) > MaxInputSize {
		return nil, malformed("PFX", fmt.Errorf("%d bytes exceeds limit %d", len(data), MaxInputSize))
	}
	var pfx pfxPDU
	if _, err := unmarshalBER(data, &pfx, "PFX"); err != nil {
		return nil, err
	}
	if pfx.Version != 3 {
		return nil, unsupported(fmt.Sprintf("PFX version %d", pfx.Version), nil)
	}
	switch ct := pfx.AuthSafe.ContentType; {
	case ct.Equal(oidSignedData):
		return nil, unsupported("public-key integrity mode (signedData authSafe)", ct)
	case !ct.Equal(oidData):
		return nil, unsupported("authSafe content type", ct)
	}
	content, err := explicitInner(pfx.AuthSafe.Content, "authSafe content")
	if err != nil {
		return nil, err
	}
	authSafe, err := octets(content, "authSafe content")
	if err != nil {
		return nil, err
	}

	if len(pfx.Extra.FullBytes) > 0 {
		return nil, malformed("PFX", errors.New("unexpected element after MacData"))
	}
	d := &decoder{password: password}
	if len(pfx.MacData.FullBytes) > 0 {
		var md macData
		if err := unmarshalDER(pfx.MacData.FullBytes, &md, "MacData"); err != nil {
			return nil, err
		}
		if err := verifyMAC(&md, authSafe, password); err != nil {
			return nil, err
		}
		d.verified = true
	}

	var infos []contentInfo
	if _, err := unmarshalBER(authSafe, &infos, "authSafe"); err != nil {
		return nil, err
	}
	for i := range infos {
		if err := d.contentInfo(&infos[i]); err != nil {
			return nil, fmt.Errorf("authSafe item %d: %w", i, err)
		}
	}
	return d.container()
}

// octets returns the bytes of an OCTET STRING element.
func octets(v asn1.RawValue, where string) ([]byte, error) {
	if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagOctetString || v.IsCompound {
		return nil, malformed(where, errors.New("not an OCTET STRING"))
	}
	return v.Bytes, nil
}

// contentInfo handles one element of the AuthenticatedSafe.
func (d *decoder) contentInfo(ci *contentInfo) error {
	content, err := explicitInner(ci.Content, "ContentInfo content")
	if err != nil {
		return err
	}
	switch {
	case ci.ContentType.Equal(oidData):
		data, err := octets(content, "data content")
		if err != nil {
			return err
		}
		return d.safeContents(data, 0)
	case ci.ContentType.Equal(oidEncryptedData):
		var ed encryptedData
		if err := unmarshalDER(content.FullBytes, &ed, "encryptedData"); err != nil {
			return err
		}
		ct, err := implicitOctets(ed.EncryptedContentInfo.EncryptedContent)
		if err != nil {
			return err
		}
		plain, err := decrypt(ed.EncryptedContentInfo.ContentEncryptionAlgorithm, ct, d.password, "encryptedData")
		if err != nil {
			return err
		}
		err = d.safeContents(plain, 0)
		if err != nil && !d.verified && errors.Is(err, ErrMalformed) {
			// Without a MAC, garbage after decryption is the usual sign
			// of a wrong password.
			return fmt.Errorf("%w (no MAC to tell): %w", ErrWrongPassword, err)
		}
		return err
	case ci.ContentType.Equal(oidEnvelopedData):
		return unsupported("authSafe content type (public-key privacy mode)", ci.ContentType)
	}
	return unsupported("authSafe content type", ci.ContentType)
}

// implicitOctets reads [0] IMPLICIT OCTET STRING in its primitive or
// (normalised) constructed form.
func implicitOctets(v asn1.RawValue) ([]byte, error) {
	const where = "encryptedContent"
	if len(v.FullBytes) == 0 {
		return nil, malformed(where, errors.New("absent"))
	}
	if v.Class != asn1.ClassContextSpecific || v.Tag != 0 {
		return nil, malformed(where, fmt.Errorf("unexpected tag class %d number %d", v.Class, v.Tag))
	}
	if !v.IsCompound {
		return v.Bytes, nil
	}
	var out []byte
	rest := v.Bytes
	for len(rest) > 0 {
		var seg asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &seg); err != nil {
			return nil, malformed(where, err)
		}
		b, err := octets(seg, where+" segment")
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// safeContents parses a SafeContents (BER allowed) and handles its bags.
func (d *decoder) safeContents(ber []byte, nesting int) error {
	if nesting > maxSafeContentsNesting {
		return malformed("SafeContents", errors.New("safeContentsBag nesting too deep"))
	}
	var bags []safeBag
	der, err := unmarshalBER(ber, &bags, "SafeContents")
	defer clear(der) // key bags in clear live here
	if err != nil {
		return err
	}
	for i := range bags {
		if err := d.bag(&bags[i], nesting); err != nil {
			return fmt.Errorf("bag %d: %w", i, err)
		}
	}
	return nil
}

// bag handles one SafeBag; unknown bag types (CRLs, secrets) are skipped.
func (d *decoder) bag(b *safeBag, nesting int) error {
	id, err := localKeyID(b.Attributes)
	if err != nil {
		return err
	}
	value, err := explicitInner(b.Value, "SafeBag value")
	if err != nil {
		return err
	}
	switch {
	case b.ID.Equal(oidShroudedKeyBag):
		var epki encryptedPrivateKeyInfo
		if err := unmarshalDER(value.FullBytes, &epki, "pkcs8ShroudedKeyBag"); err != nil {
			return err
		}
		plain, err := decrypt(epki.Algorithm, epki.EncryptedData, d.password, "key bag")
		if err != nil {
			return err
		}
		defer clear(plain)
		return d.addKey(plain, id)
	case b.ID.Equal(oidKeyBag):
		return d.addKey(value.FullBytes, id)
	case b.ID.Equal(oidCertBag):
		var cb certBag
		if err := unmarshalDER(value.FullBytes, &cb, "certBag"); err != nil {
			return err
		}
		if !cb.ID.Equal(oidX509CertType) {
			return nil // SDSI certificates: nothing to do with them
		}
		cert, err := x509.ParseCertificate(cb.Data)
		if err != nil {
			return malformed("certificate", err)
		}
		d.certs = append(d.certs, cert)
		d.certIDs = append(d.certIDs, id)
		return nil
	case b.ID.Equal(oidSafeContentsBag):
		return d.safeContents(value.FullBytes, nesting+1)
	}
	return nil
}

// addKey parses a PKCS#8 key and records it, refusing a second one.
func (d *decoder) addKey(pkcs8 []byte, id []byte) error {
	if d.key != nil {
		return ErrSeveralKeys
	}
	key, err := parsePrivateKey(pkcs8)
	if err != nil {
		if !d.verified && errors.Is(err, ErrMalformed) {
			// Without a MAC, garbage after decryption is the usual sign
			// of a wrong password.
			return fmt.Errorf("%w (no MAC to tell): %w", ErrWrongPassword, err)
		}
		return err
	}
	d.key, d.keyID = key, id
	return nil
}

// localKeyID returns the localKeyId attribute value, or nil.
func localKeyID(attrs []attribute) ([]byte, error) {
	for _, a := range attrs {
		if !a.ID.Equal(oidLocalKeyIDAttr) {
			continue
		}
		var id []byte
		if _, err := asn1.Unmarshal(a.Values.Bytes, &id); err != nil {
			return nil, malformed("localKeyId attribute", err)
		}
		return id, nil
	}
	return nil, nil
}

// container pairs the key with its certificate.
func (d *decoder) container() (*Container, error) {
	if d.key == nil {
		return nil, ErrNoKey
	}
	idx := d.matchCert()
	c := &Container{Key: d.key}
	for i, cert := range d.certs {
		if i == idx {
			c.Certificate = cert
		} else {
			c.CAs = append(c.CAs, cert)
		}
	}
	return c, nil
}

// matchCert returns the index of the key's certificate or -1.
func (d *decoder) matchCert() int {
	if len(d.keyID) > 0 {
		for i, id := range d.certIDs {
			if bytes.Equal(id, d.keyID) {
				return i
			}
		}
	}
	if s, ok := d.key.(crypto.Signer); ok {
		pub, ok := s.Public().(interface{ Equal(crypto.PublicKey) bool })
		if ok {
			for i, cert := range d.certs {
				if cert.PublicKey != nil && pub.Equal(cert.PublicKey) {
					return i
				}
			}
		}
	}
	found := -1
	for i, cert := range d.certs {
		if cert.BasicConstraintsValid && cert.IsCA {
			continue
		}
		if found >= 0 {
			return -1 // several end-entity certificates: cannot tell
		}
		found = i
	}
	if found < 0 && len(d.certs) == 1 {
		return 0
	}
	return found
}
