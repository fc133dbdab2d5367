package ncatest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"time"

	"github.com/salyq/salyq/pkg/ncakey"
)

// Request describes one end-entity certificate. Zero fields get NCA-like
// defaults.
type Request struct {
	// Role is required: RoleIndividual, a legal-entity role, or
	// RoleInfoSystem.
	Role ncakey.Role
	// Usage is UsageSign, UsageAuth, or both for a combined key (as the
	// current GOST keys are); zero means UsageSign.
	Usage ncakey.Usage
	// IIN of the holder; empty means a fresh NewIIN. It is not validated
	// beyond being 12 digits, so NCA's test IINs can be used.
	IIN string
	// BIN of the legal entity, for legal-entity roles and information
	// systems; empty means a fresh NewBIN. Ignored for individuals.
	BIN string
	// Surname and GivenName; empty means ТЕСТОВ and ТЕСТ.
	Surname, GivenName string
	// Organization (O) of a legal entity; empty means АО "ТЕСТ".
	Organization string
	// Name is the CN of an information system's certificate; empty means
	// Surname and GivenName if set, else ТЕСТ АҚПАРАТТЫҚ ЖҮЙЕСІ.
	Name string
	// RoleOIDs, when set, replace the role OIDs of the extended key usage
	// and the subject becomes a person's (SERIALNUMBER=IIN…, surname,
	// given name): NCA's older information-system profile, whose role is
	// 1.2.398.5.19.1.2.2.1 on a person's certificate.
	RoleOIDs []asn1.ObjectIdentifier
	// NotBefore and NotAfter; zero means the PKI's defaults. An expired
	// key is a request with NotAfter in the past.
	NotBefore, NotAfter time.Time
	// Key reuses an existing RSA key (renewal, or saving key generation
	// time in tests); nil generates a fresh RSA-2048 key.
	Key *rsa.PrivateKey
	// GOST issues a fresh GOST 2015-512 key, NCA's current key type,
	// instead of an RSA key (Key must be nil). Its certificate is signed
	// by the RSA test root all the same.
	GOST bool
}

var (
	oidSurname   = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidGivenName = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidUID       = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
)

// Issue makes a certificate for req and returns it as a loaded key.
func (p *PKI) Issue(req Request) (*Issued, error) {
	is, err := p.issue(req)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.issued = append(p.issued, is)
	p.mu.Unlock()
	return is, nil
}

func (p *PKI) issue(req Request) (*Issued, error) {
	if req.GOST {
		if req.Key != nil {
			return nil, fmt.Errorf("%w: GOST with an RSA key", ErrRequest)
		}
		cert, priv, err := p.issueGOST(req)
		if err != nil {
			return nil, err
		}
		return newGOSTIssued(p, cert, priv)
	}
	cert, key, err := p.IssueCert(req)
	if err != nil {
		return nil, err
	}
	k, err := ncakey.NewRSAKey(key, cert, []*x509.Certificate{p.root})
	if err != nil {
		return nil, fmt.Errorf("ncatest: %w", err)
	}
	return &Issued{Key: k, priv: key, root: p.root, encoder: p.encoder}, nil
}

// IssueCert makes a certificate for req without building an ncakey.Key,
// so that a test can make certificates that ncakey must refuse (a bad
// check digit). It is not recorded for WriteDir.
func (p *PKI) IssueCert(req Request) (*x509.Certificate, *rsa.PrivateKey, error) {
	tmpl, err := p.template(req)
	if err != nil {
		return nil, nil, err
	}
	key := req.Key
	if key == nil {
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, nil, fmt.Errorf("ncatest: key: %w", err)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.root, &key.PublicKey, p.rootKey)
	if err != nil {
		return nil, nil, fmt.Errorf("ncatest: certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("ncatest: certificate: %w", err)
	}
	return cert, key, nil
}

func (p *PKI) template(req Request) (*x509.Certificate, error) {
	if req.Role == ncakey.RoleUnknown || req.Role.OID() == nil {
		return nil, fmt.Errorf("%w: role %d", ErrRequest, req.Role)
	}
	if req.Usage == 0 {
		req.Usage = ncakey.UsageSign
	}
	if req.IIN == "" {
		req.IIN = NewIIN(p.nextSeq())
	}
	if !twelveDigits(req.IIN) {
		return nil, fmt.Errorf("%w: IIN %q is not 12 digits", ErrRequest, req.IIN)
	}
	legal := req.Role.IsLegalEntity()
	if legal {
		if req.BIN == "" {
			req.BIN = NewBIN(p.nextSeq())
		}
		if !twelveDigits(req.BIN) {
			return nil, fmt.Errorf("%w: BIN %q is not 12 digits", ErrRequest, req.BIN)
		}
	}
	if req.Name == "" {
		req.Name = strings.TrimSpace(req.Surname + " " + req.GivenName)
		if req.Name == "" {
			req.Name = "ТЕСТ АҚПАРАТТЫҚ ЖҮЙЕСІ"
		}
	}
	if req.Surname == "" {
		req.Surname = "ТЕСТОВ"
	}
	if req.GivenName == "" {
		req.GivenName = "ТЕСТ"
	}
	if req.Organization == "" {
		req.Organization = `АО "ТЕСТ"`
	}
	if req.NotBefore.IsZero() {
		req.NotBefore = p.now.Add(-time.Hour)
	}
	if req.NotAfter.IsZero() {
		req.NotAfter = p.now.Add(p.validity)
	}
	if !req.NotAfter.After(req.NotBefore) {
		return nil, fmt.Errorf("%w: NotAfter %s is not after NotBefore %s", ErrRequest, req.NotAfter, req.NotBefore)
	}

	subject := pkix.Name{
		CommonName:   req.Surname + " " + req.GivenName,
		SerialNumber: "IIN" + req.IIN,
		Country:      []string{"KZ"},
		ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: oidSurname, Value: req.Surname},
			{Type: oidGivenName, Value: req.GivenName},
		},
	}
	// Legal-entity certificates carry the entity-wide OID as well as the
	// sub-role, as NCA's do; information systems belong to an entity too.
	roles := []asn1.ObjectIdentifier{req.Role.OID()}
	if legal {
		subject.Organization = []string{req.Organization}
		subject.OrganizationalUnit = []string{"BIN" + req.BIN}
		if req.Role != ncakey.RoleLegalEntity {
			roles = []asn1.ObjectIdentifier{ncakey.RoleLegalEntity.OID(), req.Role.OID()}
		}
	}
	switch {
	case req.RoleOIDs != nil:
		roles = req.RoleOIDs
	case req.Role == ncakey.RoleInfoSystem:
		// NCA's information-system profile names the system, not a
		// person: UID, CN=<system>, O, OU=BIN…, C=KZ, and no IIN.
		subject = pkix.Name{
			CommonName:         req.Name,
			Organization:       subject.Organization,
			OrganizationalUnit: subject.OrganizationalUnit,
			Country:            subject.Country,
			ExtraNames:         []pkix.AttributeTypeAndValue{{Type: oidUID, Value: "IS" + req.BIN}},
		}
	}

	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		NotBefore:             req.NotBefore,
		NotAfter:              req.NotAfter,
		UnknownExtKeyUsage:    roles,
		SignatureAlgorithm:    x509.SHA256WithRSA,
		BasicConstraintsValid: true,
	}
	switch req.Usage {
	case ncakey.UsageSign:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
	case ncakey.UsageAuth:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	case ncakey.UsageSign | ncakey.UsageAuth:
		// The profile of NCA's current combined GOST keys.
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageKeyAgreement
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
	default:
		return nil, fmt.Errorf("%w: usage %s", ErrRequest, req.Usage)
	}
	return tmpl, nil
}

func twelveDigits(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
