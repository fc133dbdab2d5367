package ncatest_test

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/pkg/ncakey"
)

func TestNewIINAndBIN(t *testing.T) {
	for _, gen := range []struct {
		name  string
		f     func(int) string
		valid func(string) error
	}{
		{"IIN", ncatest.NewIIN, ncakey.ValidIIN},
		{"BIN", ncatest.NewBIN, ncakey.ValidBIN},
	} {
		seen := map[string]int{}
		for _, seq := range []int{0, 1, 2, 9999, 10000, 99999, 100000, 123456} {
			for n := seq; n < seq+300; n++ {
				id := gen.f(n)
				if err := gen.valid(id); err != nil {
					t.Fatalf("%s(%d) = %s: %v", gen.name, n, id, err)
				}
				if prev, dup := seen[id]; dup && prev != n {
					t.Fatalf("%s(%d) = %s(%d) = %s", gen.name, n, gen.name, prev, id)
				}
				seen[id] = n
			}
		}
		if a, b := gen.f(5), gen.f(5); a != b || gen.f(-5) != a {
			t.Errorf("%s not a function of |seq|", gen.name)
		}
	}
	// Birth date and century digit are well formed.
	if iin := ncatest.NewIIN(0); !strings.HasPrefix(iin, "900101") || (iin[6] != '3' && iin[6] != '4') {
		t.Errorf("NewIIN(0) = %s", iin)
	}
	if bin := ncatest.NewBIN(0); !strings.HasPrefix(bin, "10014") {
		t.Errorf("NewBIN(0) = %s", bin)
	}
}

func TestPKI(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	p, err := ncatest.New(ncatest.Options{Now: now, Validity: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	root := p.Root()
	if !root.IsCA || root.Subject.CommonName != ncatest.RootCommonName || root.Subject.Country[0] != "KZ" {
		t.Errorf("root %v", root.Subject)
	}
	if blk, _ := pem.Decode(p.RootPEM()); blk == nil || blk.Type != "CERTIFICATE" || string(blk.Bytes) != string(root.Raw) {
		t.Error("RootPEM does not hold the root")
	}

	sign, err := p.Issue(ncatest.Request{Role: ncakey.RoleHead, Usage: ncakey.UsageSign, Surname: "АХМЕТОВ", GivenName: "АЛИ", Organization: `ТОО "САЛЫҚ"`})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := p.Issue(ncatest.Request{Role: ncakey.RoleIndividual, Usage: ncakey.UsageAuth, Key: sign.PrivateKey()})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		is  *ncatest.Issued
		eku x509.ExtKeyUsage
		ku  x509.KeyUsage
	}{
		{sign, x509.ExtKeyUsageEmailProtection, x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment},
		{auth, x509.ExtKeyUsageClientAuth, x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment},
	} {
		c := tc.is.Certificate()
		if _, err := c.Verify(x509.VerifyOptions{Roots: p.RootPool(), CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{tc.eku}}); err != nil {
			t.Errorf("%v does not chain to the root: %v", tc.is.Identity(), err)
		}
		if c.KeyUsage != tc.ku || len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != tc.eku {
			t.Errorf("key usage %v / %v", c.KeyUsage, c.ExtKeyUsage)
		}
		if c.PublicKeyAlgorithm != x509.RSA || c.PublicKey.(interface{ Size() int }).Size() != 256 {
			t.Error("not RSA-2048")
		}
		if !c.NotBefore.Equal(now.Add(-time.Hour)) || !c.NotAfter.Equal(now.Add(30*24*time.Hour)) {
			t.Errorf("validity %v – %v", c.NotBefore, c.NotAfter)
		}
		if c.Subject.Country[0] != "KZ" || !strings.HasPrefix(c.Subject.SerialNumber, "IIN") {
			t.Errorf("subject %v", c.Subject)
		}
	}

	c := sign.Certificate()
	attrs := map[string]string{}
	for _, a := range c.Subject.Names {
		attrs[a.Type.String()], _ = a.Value.(string)
	}
	if attrs["2.5.4.4"] != "АХМЕТОВ" || attrs["2.5.4.42"] != "АЛИ" || c.Subject.CommonName != "АХМЕТОВ АЛИ" {
		t.Errorf("SURNAME/GIVENNAME/CN in %v", c.Subject)
	}
	if c.Subject.Organization[0] != `ТОО "САЛЫҚ"` || c.Subject.OrganizationalUnit[0] != "BIN"+sign.Identity().BIN {
		t.Errorf("O/OU in %v", c.Subject)
	}
	if !oidsEqual(c.UnknownExtKeyUsage, []asn1.ObjectIdentifier{ncakey.RoleLegalEntity.OID(), ncakey.RoleHead.OID()}) {
		t.Errorf("role OIDs %v", c.UnknownExtKeyUsage)
	}
	if sign.Identity().IIN == auth.Identity().IIN {
		t.Error("generated IINs repeat")
	}
}

func TestInfoSystemAndCombined(t *testing.T) {
	p, err := ncatest.New(ncatest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	is, err := p.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem})
	if err != nil {
		t.Fatal(err)
	}
	id := is.Identity()
	if id.Role != ncakey.RoleInfoSystem || id.Usage != ncakey.UsageSign || id.BIN == "" || id.TaxpayerID() != id.BIN {
		t.Errorf("info system identity %v", id)
	}
	comb, err := p.Issue(ncatest.Request{Role: ncakey.RoleIndividual, Usage: ncakey.UsageSign | ncakey.UsageAuth, Key: is.PrivateKey()})
	if err != nil {
		t.Fatal(err)
	}
	if ku := comb.Certificate().KeyUsage; ku != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment|x509.KeyUsageKeyAgreement {
		t.Errorf("combined key usage %v", ku)
	}
	// Expired: a validity window in the past.
	old, err := p.Issue(ncatest.Request{Role: ncakey.RoleIndividual, NotBefore: p.Now().AddDate(-2, 0, 0), NotAfter: p.Now().AddDate(-1, 0, 0), Key: is.PrivateKey()})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.CheckValidAt(p.Now()); !errors.Is(err, ncakey.ErrExpired) {
		t.Errorf("expired key: %v", err)
	}
}

func TestBadRequests(t *testing.T) {
	p, err := ncatest.New(ncatest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, req := range map[string]ncatest.Request{
		"no role":        {},
		"short IIN":      {Role: ncakey.RoleIndividual, IIN: "123"},
		"letter in BIN":  {Role: ncakey.RoleHead, BIN: "12345678902x"},
		"empty validity": {Role: ncakey.RoleIndividual, NotBefore: p.Now(), NotAfter: p.Now()},
		"bad usage":      {Role: ncakey.RoleIndividual, Usage: 8},
	} {
		if _, err := p.Issue(req); !errors.Is(err, ncatest.ErrRequest) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A wrong check digit is issued as a certificate (to test refusals)
	// but is not a loadable key.
	bad := ncakey.TestIIN[:11] + "9"
	cert, _, err := p.IssueCert(ncatest.Request{Role: ncakey.RoleIndividual, IIN: bad})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ncakey.IdentityOf(cert); !errors.Is(err, ncakey.ErrInvalidIdentifier) {
		t.Errorf("IdentityOf(bad IIN) = %v", err)
	}
}

func TestWriteDirOpensAsKeystore(t *testing.T) {
	p, err := ncatest.New(ncatest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	set, err := p.IssueSet()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "keys")
	paths, err := p.WriteDir(dir, "sandbox-pw")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 6 {
		t.Fatalf("wrote %v", paths)
	}
	if _, err := os.Stat(filepath.Join(dir, ncatest.RootFile)); err != nil {
		t.Error(err)
	}
	// No common password: everything must come from the passwords file.
	ks, err := ncakey.OpenKeystore(dir, ncakey.KeystoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ks.Entries()) != 6 || len(ks.Problems()) != 0 {
		t.Fatalf("%d entries, problems %v", len(ks.Entries()), ks.Problems())
	}
	now := p.Now()
	for _, tc := range []struct {
		id   string
		want *ncatest.Issued
	}{
		{set.IndividualSign.Identity().IIN, set.IndividualSign},
		{set.HeadSign.Identity().BIN, set.HeadSign},
	} {
		k, err := ks.ForTaxpayer(tc.id, now)
		if err != nil || !k.Certificate().Equal(tc.want.Certificate()) {
			t.Errorf("ForTaxpayer(%s) = %v, %v", tc.id, k, err)
		}
	}
	if _, err := p.WriteDir(dir, "two\nlines"); !errors.Is(err, ncatest.ErrRequest) {
		t.Errorf("multi-line password: %v", err)
	}
}

func oidsEqual(a, b []asn1.ObjectIdentifier) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// BenchmarkIssue measures the cost of one end-entity key and certificate,
// dominated by RSA-2048 key generation.
func BenchmarkIssue(b *testing.B) {
	p, err := ncatest.New(ncatest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n := 0
	for b.Loop() {
		if _, err := p.Issue(ncatest.Request{Role: ncakey.RoleIndividual}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(n), "ms/key")
}
