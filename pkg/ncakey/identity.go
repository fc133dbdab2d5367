package ncakey

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Identity is whose key a certificate is and what it may do.
type Identity struct {
	// IIN of the person holding the key (SERIALNUMBER=IIN…). It may be
	// empty only for an information-system certificate.
	IIN string
	// BIN of the legal entity (OU=BIN…); empty for individuals.
	BIN string
	// Name of the information system (its CN) for RoleInfoSystem: NCA's
	// profile names the system, not a person, and carries no IIN.
	Name string
	// Role from the NCA role OIDs in the extended key usage.
	Role Role
	// Usage from the key usage bits.
	Usage Usage
	// Test is set when the IIN or BIN is one of NCA's test identifiers.
	Test bool
	// NotBefore and NotAfter bound the certificate's validity.
	NotBefore, NotAfter time.Time
	// Subject is the certificate's subject name.
	Subject pkix.Name
}

var oidSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}

// IdentityOf reads the taxpayer identity from an NCA certificate. It
// refuses NCA's test identifiers; see ParseIdentity to allow them.
func IdentityOf(cert *x509.Certificate) (Identity, error) {
	return ParseIdentity(cert, false)
}

// ParseIdentity reads the taxpayer identity from an NCA certificate.
// allowTest accepts NCA's test identifiers (whose check digits are wrong);
// set it only for the NCA test environment.
func ParseIdentity(cert *x509.Certificate, allowTest bool) (Identity, error) {
	if cert == nil {
		return Identity{}, fmt.Errorf("ncakey: nil certificate: %w", ErrNoIdentity)
	}
	id := Identity{
		Role:      roleOf(cert.UnknownExtKeyUsage),
		Usage:     usageOf(cert.KeyUsage),
		NotBefore: cert.NotBefore,
		NotAfter:  cert.NotAfter,
		Subject:   cert.Subject,
	}
	if id.Role == RoleUnknown {
		return Identity{}, fmt.Errorf("ncakey: subject %q: %w", cert.Subject.String(), ErrUnknownRole)
	}

	iin, err := subjectIIN(cert.Subject)
	if err != nil {
		return Identity{}, err
	}
	if iin != "" {
		if err := validIdentifier("IIN", iin, allowTest); err != nil {
			return Identity{}, err
		}
	}
	id.IIN = iin

	bin, err := subjectBIN(cert.Subject)
	if err != nil {
		return Identity{}, err
	}
	if bin != "" {
		if err := validIdentifier("BIN", bin, allowTest); err != nil {
			return Identity{}, err
		}
	}
	id.BIN = bin

	switch {
	case id.Role.IsLegalEntity() && id.BIN == "":
		return Identity{}, fmt.Errorf("ncakey: %s certificate without OU=BIN…: %w", id.Role, ErrNoIdentity)
	case id.Role != RoleInfoSystem && id.IIN == "":
		return Identity{}, fmt.Errorf("ncakey: %s certificate without SERIALNUMBER=IIN…: %w", id.Role, ErrNoIdentity)
	}
	if id.Role == RoleInfoSystem {
		id.Name = cert.Subject.CommonName
	}
	id.Test = IsTestIdentifier(id.IIN) || IsTestIdentifier(id.BIN)
	return id, nil
}

// subjectIIN returns the digits of SERIALNUMBER=IIN…, "" if the subject
// has no serial number. pkix.Name keeps only the last SERIALNUMBER, so
// the attributes are scanned to refuse an ambiguous subject.
func subjectIIN(n pkix.Name) (string, error) {
	var found []string
	for _, atv := range n.Names {
		if atv.Type.Equal(oidSerialNumber) {
			s, _ := atv.Value.(string)
			found = append(found, s)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", fmt.Errorf("ncakey: subject has %d SERIALNUMBER attributes: %w", len(found), ErrNoIdentity)
	}
	v, ok := strings.CutPrefix(found[0], "IIN")
	if !ok {
		return "", &IdentifierError{Field: "IIN", Value: found[0], Reason: "SERIALNUMBER does not start with IIN", Err: ErrInvalidIdentifier}
	}
	return v, nil
}

// subjectBIN returns the digits of OU=BIN…, "" if there is none. Other OU
// values (departments) are ignored.
func subjectBIN(n pkix.Name) (string, error) {
	var found []string
	for _, ou := range n.OrganizationalUnit {
		if v, ok := strings.CutPrefix(ou, "BIN"); ok {
			found = append(found, v)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("ncakey: subject has %d OU=BIN attributes: %w", len(found), ErrNoIdentity)
}

// TaxpayerID is the identifier a form signed with this key is filed
// under: the BIN for legal entities, the IIN for individuals.
func (id Identity) TaxpayerID() string {
	if id.Role.IsLegalEntity() {
		return id.BIN
	}
	return id.IIN
}

// CanSign reports whether the key may sign documents.
func (id Identity) CanSign() bool { return id.Usage.CanSign() }

// CanAuth reports whether the key may authenticate.
func (id Identity) CanAuth() bool { return id.Usage.CanAuth() }

// IsLegalEntity reports whether the key acts for a legal entity.
func (id Identity) IsLegalEntity() bool { return id.Role.IsLegalEntity() }

// CheckValidAt reports whether t lies inside the validity window, with a
// *ValidityError wrapping ErrExpired or ErrNotYetValid if not.
func (id Identity) CheckValidAt(t time.Time) error {
	switch {
	case t.Before(id.NotBefore):
		return &ValidityError{At: t, NotBefore: id.NotBefore, NotAfter: id.NotAfter, Err: ErrNotYetValid}
	case t.After(id.NotAfter):
		return &ValidityError{At: t, NotBefore: id.NotBefore, NotAfter: id.NotAfter, Err: ErrExpired}
	}
	return nil
}

// CheckCanSign refuses a key without signing usage (an AUTH key).
func (id Identity) CheckCanSign() error {
	if id.CanSign() {
		return nil
	}
	return fmt.Errorf("ncakey: %s key of %s: %w", id.Usage, id.TaxpayerID(), ErrNotSigningKey)
}

// CheckAllowed refuses an identity carrying NCA test identifiers unless
// allowTest is set.
func (id Identity) CheckAllowed(allowTest bool) error {
	if !id.Test || allowTest {
		return nil
	}
	v := id.IIN
	if IsTestIdentifier(id.BIN) {
		v = id.BIN
	}
	return &IdentifierError{Field: "IIN/BIN", Value: v, Reason: "NCA test identifier, refused unless test identities are enabled", Err: ErrTestIdentifier}
}

// String names the identity for logs: role, identifiers, usage.
func (id Identity) String() string {
	var b strings.Builder
	b.WriteString(id.Role.String())
	if id.Name != "" {
		b.WriteString(" ")
		b.WriteString(strconv.Quote(id.Name))
	}
	if id.IIN != "" {
		b.WriteString(" IIN ")
		b.WriteString(id.IIN)
	}
	if id.BIN != "" {
		b.WriteString(" BIN ")
		b.WriteString(id.BIN)
	}
	b.WriteString(" ")
	b.WriteString(id.Usage.String())
	if id.Test {
		b.WriteString(" (NCA test)")
	}
	return b.String()
}
