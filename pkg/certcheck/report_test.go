package certcheck

import (
	"strings"
	"testing"
	"time"
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
