package certcheck

import (
	"crypto/x509"
	"encoding/asn1"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/pkg/ncakey"
)

func TestDescribeNCAKeys(t *testing.T) {
	checker := ncaChecker(t, FileSource(ncaFile(t, crlFile)), func() time.Time { return crlNow }, PolicyFail)
	for _, tc := range []struct {
		file       string
		iin, bin   string
		role       string
		revocation RevocationState
		lines      []string
	}{
		{"individual_valid_individual_valid.p12", "123456789011", "", "individual", Good,
			[]string{"IIN:         123456789011", "Role:        individual (NCA test identity)", "Usage:       SIGN|AUTH", "Algorithm:   GOST 2015-512", "Chain:       trusted", "Verdict:     usable at 2026-07-01 12:00:00Z", "Subject:     CN=ТЕСТОВ ТЕСТ, SURNAME=ТЕСТОВ, SERIALNUMBER=IIN123456789011, C=KZ, G=ТЕСТОВИЧ", "Revocation:  good [file:"}},
		{"legal_revoked_head.p12", "123456789011", "123456789021", "legal entity head", Revoked,
			[]string{"BIN:         123456789021", "Serial:      5BFAB68530D2A5DAF87B65E29A105A7BEA75B411", "Revocation:  revoked since 2026-05-08 14:59:06Z (certificateHold)", "Chain:       trusted", "Verdict:     REFUSED: certcheck:"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r := Describe(loadNCAKey(t, tc.file), checker, at)
			if r.IIN != tc.iin || r.BIN != tc.bin || r.Role != tc.role || !r.Test || r.Revocation.State != tc.revocation {
				t.Fatalf("report %+v", r)
			}
			if (tc.revocation == Revoked) != (r.Err != nil) || len(r.Chain) != 3 {
				t.Fatalf("err %v, chain %q", r.Err, r.Chain)
			}
			var b strings.Builder
			if err := r.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			for _, l := range tc.lines {
				if !strings.Contains(b.String(), l) {
					t.Errorf("missing %q in\n%s", l, b.String())
				}
			}
		})
	}
}

func TestDescribeWithoutChecker(t *testing.T) {
	r := Describe(loadNCAKey(t, "legal_valid_infosystem.p12"), nil, time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))
	if r.Role != "information system" || !strings.Contains(r.Validity, "expired") || !strings.HasPrefix(r.ChainStatus, "not checked") || r.Chain != nil {
		t.Fatalf("report %+v", r)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil || strings.Contains(b.String(), "Revocation:") {
		t.Fatalf("%v\n%s", err, b.String())
	}
}

// TestDescribeInfoSystem: `keys inspect` of NCA's information-system
// keys (current profile without an IIN, older policy-OID profile on a
// person's certificate; GOST 2015-512 and RSA) shows the role, the BIN
// and the system's name, and the chain to the test root is trusted.
func TestDescribeInfoSystem(t *testing.T) {
	pki, err := ncatestPKI()
	if err != nil {
		t.Fatal(err)
	}
	checker, err := New(Options{Roots: []*x509.Certificate{pki.Root()}})
	if err != nil {
		t.Fatal(err)
	}
	bin := ncatest.NewBIN(61)
	older := []asn1.ObjectIdentifier{ncakey.RoleLegalEntity.OID(), {1, 2, 398, 5, 19, 1, 2, 2, 1}}
	for _, tc := range []struct {
		name      string
		req       ncatest.Request
		algorithm string
		iin       bool
		wantName  string // the CN: the system's, or the person's in the older profile
	}{
		{"GOST current", ncatest.Request{GOST: true}, "GOST 2015-512", false, "SALYQ ERP"},
		{"RSA current", ncatest.Request{}, "RSA-2048", false, "SALYQ ERP"},
		{"GOST older", ncatest.Request{GOST: true, RoleOIDs: older}, "GOST 2015-512", true, "ТЕСТОВ ТЕСТ"},
		{"RSA older", ncatest.Request{RoleOIDs: older}, "RSA-2048", true, "ТЕСТОВ ТЕСТ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			req.Role, req.Usage, req.BIN, req.Name = ncakey.RoleInfoSystem, ncakey.UsageSign|ncakey.UsageAuth, bin, "SALYQ ERP"
			is, err := pki.Issue(req)
			if err != nil {
				t.Fatal(err)
			}
			r := Describe(is.Key, checker, at)
			if r.Role != "information system" || r.BIN != bin || r.Name != tc.wantName || r.Algorithm != tc.algorithm ||
				(r.IIN != "") != tc.iin || r.ChainStatus != "trusted" || r.Err != nil {
				t.Fatalf("report %+v", r)
			}
			var b strings.Builder
			if err := r.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			lines := []string{"Role:        information system", "BIN:         " + bin, "Name:        " + tc.wantName, "Usage:       SIGN|AUTH"}
			if !tc.iin {
				lines = append(lines, "UID=IS"+bin) // readable, not an OID
			}
			for _, l := range lines {
				if !strings.Contains(b.String(), l) {
					t.Errorf("missing %q in\n%s", l, b.String())
				}
			}
		})
	}
}
