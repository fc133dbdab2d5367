package ncakey_test

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/pkg/ncakey"
)

func TestIdentityOfEveryRole(t *testing.T) {
	f := getFixture(t)
	iin, bin := ncatest.NewIIN(9001), ncatest.NewBIN(9001)
	tests := []struct {
		role      ncakey.Role
		legal     bool
		taxpayer  string
		wantBIN   string
		wantOIDs  int // role OIDs in the EKU
		roleLabel string
	}{
		{ncakey.RoleIndividual, false, iin, "", 1, "individual"},
		{ncakey.RoleLegalEntity, true, bin, bin, 1, "legal entity"},
		{ncakey.RoleHead, true, bin, bin, 2, "legal entity head"},
		{ncakey.RoleSigner, true, bin, bin, 2, "legal entity right to sign"},
		{ncakey.RoleFinance, true, bin, bin, 2, "legal entity finance"},
		{ncakey.RoleEmployee, true, bin, bin, 2, "legal entity employee"},
		{ncakey.RoleHR, true, bin, bin, 2, "legal entity HR"},
		{ncakey.RoleInfoSystem, true, bin, bin, 2, "information system"},
	}
	for _, tc := range tests {
		t.Run(tc.roleLabel, func(t *testing.T) {
			cert, _, err := f.pki.IssueCert(ncatest.Request{Role: tc.role, IIN: iin, BIN: bin, Key: f.reuseKey()})
			if err != nil {
				t.Fatal(err)
			}
			if len(cert.UnknownExtKeyUsage) != tc.wantOIDs {
				t.Errorf("EKU role OIDs %v", cert.UnknownExtKeyUsage)
			}
			id, err := ncakey.IdentityOf(cert)
			if err != nil {
				t.Fatal(err)
			}
			if id.Role != tc.role || id.Role.String() != tc.roleLabel {
				t.Errorf("Role = %v, want %v", id.Role, tc.role)
			}
			// NCA's information-system profile names a system, not a person.
			wantIIN := iin
			if tc.role == ncakey.RoleInfoSystem {
				wantIIN = ""
			}
			if id.IIN != wantIIN || id.BIN != tc.wantBIN || id.TaxpayerID() != tc.taxpayer {
				t.Errorf("IIN %q BIN %q TaxpayerID %q; want %q %q %q", id.IIN, id.BIN, id.TaxpayerID(), wantIIN, tc.wantBIN, tc.taxpayer)
			}
			if id.IsLegalEntity() != tc.legal {
				t.Errorf("IsLegalEntity = %v", id.IsLegalEntity())
			}
			if id.Test {
				t.Error("Test set for a valid identifier")
			}
			if !id.NotBefore.Equal(cert.NotBefore) || !id.NotAfter.Equal(cert.NotAfter) || id.Subject.CommonName != cert.Subject.CommonName {
				t.Error("validity or subject not copied")
			}
		})
	}
}

func TestUsageClassification(t *testing.T) {
	tests := []struct {
		name     string
		ku       x509.KeyUsage
		want     ncakey.Usage
		canSign  bool
		canAuth  bool
		wantText string
	}{
		{"NCA SIGN", x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment, ncakey.UsageSign, true, false, "SIGN"},
		{"NCA AUTH", x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ncakey.UsageAuth, false, true, "AUTH"},
		{"GOST 2015 combined", x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageKeyAgreement, ncakey.UsageSign | ncakey.UsageAuth, true, true, "SIGN|AUTH"},
		{"digitalSignature alone", x509.KeyUsageDigitalSignature, 0, false, false, "NONE"},
		{"nonRepudiation without digitalSignature", x509.KeyUsageContentCommitment, 0, false, false, "NONE"},
		{"keyEncipherment alone", x509.KeyUsageKeyEncipherment, 0, false, false, "NONE"},
	}
	f := getFixture(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cert := rawCert(t, f, pkix.Name{SerialNumber: "IIN" + ncatest.NewIIN(1)}, tc.ku, []asn1.ObjectIdentifier{ncakey.RoleIndividual.OID()})
			id, err := ncakey.IdentityOf(cert)
			if err != nil {
				t.Fatal(err)
			}
			if id.Usage != tc.want || id.CanSign() != tc.canSign || id.CanAuth() != tc.canAuth || id.Usage.String() != tc.wantText {
				t.Errorf("usage %v (sign %v auth %v), want %v (sign %v auth %v)", id.Usage, id.CanSign(), id.CanAuth(), tc.want, tc.canSign, tc.canAuth)
			}
			if err := id.CheckCanSign(); (err == nil) != tc.canSign {
				t.Errorf("CheckCanSign = %v", err)
			} else if err != nil && !errors.Is(err, ncakey.ErrNotSigningKey) {
				t.Errorf("CheckCanSign = %v, want ErrNotSigningKey", err)
			}
		})
	}
}

// TestIssuedUsages checks that the test PKI's three profiles classify as
// intended.
func TestIssuedUsages(t *testing.T) {
	f := getFixture(t)
	for _, u := range []ncakey.Usage{ncakey.UsageSign, ncakey.UsageAuth, ncakey.UsageSign | ncakey.UsageAuth} {
		cert, _, err := f.pki.IssueCert(ncatest.Request{Role: ncakey.RoleIndividual, Usage: u, Key: f.reuseKey()})
		if err != nil {
			t.Fatal(err)
		}
		id, err := ncakey.IdentityOf(cert)
		if err != nil {
			t.Fatal(err)
		}
		if id.Usage != u {
			t.Errorf("issued %v, read %v", u, id.Usage)
		}
	}
}

func TestIdentityRefusals(t *testing.T) {
	f := getFixture(t)
	iin, bin := ncatest.NewIIN(42), ncatest.NewBIN(42)
	sign := x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	indiv := []asn1.ObjectIdentifier{ncakey.RoleIndividual.OID()}
	head := []asn1.ObjectIdentifier{ncakey.RoleLegalEntity.OID(), ncakey.RoleHead.OID()}
	tests := []struct {
		name    string
		subject pkix.Name
		roles   []asn1.ObjectIdentifier
		want    error
		field   string // IdentifierError field, if any
	}{
		{"no role OID", pkix.Name{SerialNumber: "IIN" + iin}, nil, ncakey.ErrUnknownRole, ""},
		{"no SERIALNUMBER", pkix.Name{CommonName: "X"}, indiv, ncakey.ErrNoIdentity, ""},
		{"SERIALNUMBER without IIN prefix", pkix.Name{SerialNumber: iin}, indiv, ncakey.ErrInvalidIdentifier, "IIN"},
		{"IIN bad check digit", pkix.Name{SerialNumber: "IIN" + badDigit(iin)}, indiv, ncakey.ErrInvalidIdentifier, "IIN"},
		{"IIN too short", pkix.Name{SerialNumber: "IIN12345"}, indiv, ncakey.ErrInvalidIdentifier, "IIN"},
		{"legal entity without BIN", pkix.Name{SerialNumber: "IIN" + iin, Organization: []string{"O"}}, head, ncakey.ErrNoIdentity, ""},
		{"BIN bad check digit", pkix.Name{SerialNumber: "IIN" + iin, OrganizationalUnit: []string{"BIN" + badDigit(bin)}}, head, ncakey.ErrInvalidIdentifier, "BIN"},
		{"two BINs", pkix.Name{SerialNumber: "IIN" + iin, OrganizationalUnit: []string{"BIN" + bin, "BIN" + ncatest.NewBIN(43)}}, head, ncakey.ErrNoIdentity, ""},
		{"two SERIALNUMBERs", pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: asn1.ObjectIdentifier{2, 5, 4, 5}, Value: "IIN" + iin},
			{Type: asn1.ObjectIdentifier{2, 5, 4, 5}, Value: "IIN" + ncatest.NewIIN(43)},
		}}, indiv, ncakey.ErrNoIdentity, ""},
		{"NCA test IIN by default", pkix.Name{SerialNumber: "IIN" + ncakey.TestIIN}, indiv, ncakey.ErrTestIdentifier, "IIN"},
		{"NCA test BIN by default", pkix.Name{SerialNumber: "IIN" + iin, OrganizationalUnit: []string{"BIN" + ncakey.TestBIN}}, head, ncakey.ErrTestIdentifier, "BIN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cert := rawCert(t, f, tc.subject, sign, tc.roles)
			_, err := ncakey.IdentityOf(cert)
			wantErr(t, err, tc.want)
			var ie *ncakey.IdentifierError
			if tc.field != "" && (!errors.As(err, &ie) || ie.Field != tc.field) {
				t.Fatalf("error %v: want IdentifierError on %s", err, tc.field)
			}
		})
	}
	if _, err := ncakey.IdentityOf(nil); !errors.Is(err, ncakey.ErrNoIdentity) {
		t.Errorf("IdentityOf(nil) = %v", err)
	}
}

// TestInfoSystemWithoutIIN: an information-system certificate is about
// the entity, so the BIN alone identifies it.
func TestInfoSystemWithoutIIN(t *testing.T) {
	f := getFixture(t)
	bin := ncatest.NewBIN(77)
	cert := rawCert(t, f, pkix.Name{OrganizationalUnit: []string{"BIN" + bin}, Organization: []string{"O"}},
		x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment,
		[]asn1.ObjectIdentifier{ncakey.RoleLegalEntity.OID(), ncakey.RoleInfoSystem.OID()})
	id, err := ncakey.IdentityOf(cert)
	if err != nil {
		t.Fatal(err)
	}
	if id.Role != ncakey.RoleInfoSystem || id.TaxpayerID() != bin || id.IIN != "" {
		t.Errorf("identity %v", id)
	}
}

// TestNCATestIdentities mirrors the real NCA test certificates: IIN
// 123456789011 and BIN 123456789021 pass only with the test switch.
func TestNCATestIdentities(t *testing.T) {
	f := getFixture(t)
	cert, _, err := f.pki.IssueCert(ncatest.Request{Role: ncakey.RoleHead, IIN: ncakey.TestIIN, BIN: ncakey.TestBIN, Key: f.reuseKey()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ncakey.IdentityOf(cert); !errors.Is(err, ncakey.ErrTestIdentifier) || !errors.Is(err, ncakey.ErrInvalidIdentifier) {
		t.Fatalf("IdentityOf(test cert) = %v", err)
	}
	id, err := ncakey.ParseIdentity(cert, true)
	if err != nil {
		t.Fatal(err)
	}
	if !id.Test || id.IIN != ncakey.TestIIN || id.TaxpayerID() != ncakey.TestBIN {
		t.Errorf("identity %v", id)
	}
	wantErr(t, id.CheckAllowed(false), ncakey.ErrTestIdentifier)
	if err := id.CheckAllowed(true); err != nil {
		t.Error(err)
	}
}

func TestIdentityValidity(t *testing.T) {
	nb := time.Date(2026, 5, 8, 6, 45, 13, 0, time.UTC)
	na := nb.AddDate(1, 0, 0)
	id := ncakey.Identity{NotBefore: nb, NotAfter: na}
	tests := []struct {
		at   time.Time
		want error
	}{
		{nb.Add(-time.Second), ncakey.ErrNotYetValid},
		{nb, nil},
		{na, nil},
		{na.Add(time.Second), ncakey.ErrExpired},
	}
	for _, tc := range tests {
		err := id.CheckValidAt(tc.at)
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("CheckValidAt(%v) = %v, want %v", tc.at, err, tc.want)
			continue
		}
		var ve *ncakey.ValidityError
		if err != nil && (!errors.As(err, &ve) || !ve.NotAfter.Equal(na) || !ve.NotBefore.Equal(nb) || !ve.At.Equal(tc.at)) {
			t.Errorf("error %#v lacks the dates", err)
		}
	}
}

// rawCert makes a certificate from the test root with an arbitrary
// subject, for shapes the test PKI refuses to issue.
func rawCert(t *testing.T, f *fixture, subject pkix.Name, ku x509.KeyUsage, roles []asn1.ObjectIdentifier) *x509.Certificate {
	t.Helper()
	key := f.reuseKey()
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(1),
		Subject:            subject,
		NotBefore:          f.now.Add(-time.Hour),
		NotAfter:           f.now.AddDate(1, 0, 0),
		KeyUsage:           ku,
		UnknownExtKeyUsage: roles,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// badDigit returns id with its check digit changed.
func badDigit(id string) string {
	d := id[11]
	if d == '9' {
		d = '0'
	} else {
		d++
	}
	return id[:11] + string(d)
}

// TestRoleOIDs pins the OIDs to docs/PROTOCOL.md §5 and
// docs/nca-roles.md: Role.OID is the OID of the current profile.
func TestRoleOIDs(t *testing.T) {
	want := map[ncakey.Role]string{
		ncakey.RoleIndividual:  "1.2.398.3.3.4.1.1",
		ncakey.RoleLegalEntity: "1.2.398.3.3.4.1.2",
		ncakey.RoleHead:        "1.2.398.3.3.4.1.2.1",
		ncakey.RoleSigner:      "1.2.398.3.3.4.1.2.2",
		ncakey.RoleFinance:     "1.2.398.3.3.4.1.2.3",
		ncakey.RoleHR:          "1.2.398.3.3.4.1.2.4",
		ncakey.RoleEmployee:    "1.2.398.3.3.4.1.2.5",
		ncakey.RoleInfoSystem:  "1.2.398.3.3.4.1.2.6",
	}
	for r, s := range want {
		if got := r.OID().String(); got != s {
			t.Errorf("%v.OID() = %s, want %s", r, got, s)
		}
	}
	if ncakey.RoleUnknown.OID() != nil {
		t.Error("RoleUnknown has an OID")
	}
	o := ncakey.RoleHead.OID()
	o[0] = 9
	if ncakey.RoleHead.OID()[0] != 1 {
		t.Error("OID shares its backing array")
	}
}

// TestRoleTable: every row of the table is read back as its role, also
// next to the legal-entity OID a real certificate carries; both NCA
// information-system profiles are information systems.
func TestRoleTable(t *testing.T) {
	f := getFixture(t)
	bin := ncatest.NewBIN(78)
	seen := map[string]bool{}
	for _, row := range ncakey.RoleTable() {
		if seen[row.OID.String()] {
			t.Errorf("OID %s twice in the table", row.OID)
		}
		seen[row.OID.String()] = true
		if row.Meaning == "" || row.Source == "" {
			t.Errorf("OID %s without meaning or source", row.OID)
		}
		subject := pkix.Name{SerialNumber: "IIN" + ncatest.NewIIN(78), OrganizationalUnit: []string{"BIN" + bin}}
		cert := rawCert(t, f, subject, x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment,
			[]asn1.ObjectIdentifier{ncakey.RoleLegalEntity.OID(), row.OID})
		id, err := ncakey.IdentityOf(cert)
		if err != nil {
			t.Fatalf("%s: %v", row.OID, err)
		}
		want := row.Role
		if row.Role == ncakey.RoleIndividual {
			want = ncakey.RoleLegalEntity // the less specific of the two
		}
		if id.Role != want {
			t.Errorf("%s read as %v, want %v", row.OID, id.Role, want)
		}
	}
	for _, oid := range []string{"1.2.398.3.3.4.1.2.6", "1.2.398.5.19.1.2.2.1"} {
		found := false
		for _, row := range ncakey.RoleTable() {
			found = found || (row.OID.String() == oid && row.Role == ncakey.RoleInfoSystem)
		}
		if !found {
			t.Errorf("%s is not an information system in the table", oid)
		}
	}
}
