package ncatest_test

import (
	"crypto/x509"
	"encoding/asn1"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// TestInfoSystemProfile: the test PKI issues NCA's information-system
// profile (UID, CN=<system>, O, OU=BIN…, C=KZ, no SERIALNUMBER; EKU
// legal entity + 1.2.398.3.3.4.1.2.6) with GOST 2015-512 and RSA keys,
// and the containers load back as information-system keys.
func TestInfoSystemProfile(t *testing.T) {
	p, err := ncatest.New(ncatest.Options{Now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	bin := ncatest.NewBIN(41)
	for _, tc := range []struct {
		name string
		gost bool
		alg  string
	}{{"GOST", true, xmldsig.SignatureGOST2015512}, {"RSA", false, xmldsig.SignatureRSASHA256}} {
		t.Run(tc.name, func(t *testing.T) {
			is, err := p.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem, Usage: ncakey.UsageSign | ncakey.UsageAuth,
				BIN: bin, Name: "SALYQ ERP", GOST: tc.gost})
			if err != nil {
				t.Fatal(err)
			}
			c := is.Certificate()
			if c.Subject.SerialNumber != "" || c.Subject.CommonName != "SALYQ ERP" || c.Subject.OrganizationalUnit[0] != "BIN"+bin {
				t.Errorf("subject %s", c.Subject)
			}
			uid := false
			for _, atv := range c.Subject.Names {
				uid = uid || atv.Type.Equal(asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1})
			}
			if !uid {
				t.Errorf("subject %s has no UID", c.Subject)
			}
			if got := oidStrings(c.UnknownExtKeyUsage); got != "1.2.398.3.3.4.1.2 1.2.398.3.3.4.1.2.6" {
				t.Errorf("EKU %s", got)
			}
			if c.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment|x509.KeyUsageKeyAgreement {
				t.Errorf("key usage %b", c.KeyUsage)
			}
			if err := c.CheckSignatureFrom(p.Root()); err != nil {
				t.Errorf("not signed by the root: %v", err)
			}
			data, err := is.P12("pw")
			if err != nil {
				t.Fatal(err)
			}
			k, err := ncakey.Parse(data, "pw")
			if err != nil {
				t.Fatal(err)
			}
			id := k.Identity()
			if id.Role != ncakey.RoleInfoSystem || id.BIN != bin || id.IIN != "" || id.Name != "SALYQ ERP" || id.TaxpayerID() != bin {
				t.Errorf("identity %v", id)
			}
			if got := k.Signer().Algorithm().SignatureURI; got != tc.alg {
				t.Errorf("signs with %s", got)
			}
		})
	}
}

func oidStrings(oids []asn1.ObjectIdentifier) string {
	s := ""
	for i, o := range oids {
		if i > 0 {
			s += " "
		}
		s += o.String()
	}
	return s
}
