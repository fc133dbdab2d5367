package ncakey_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/salyq/salyq/pkg/ncakey"
)

func TestCheckDigit(t *testing.T) {
	tests := []struct {
		first11 string
		digit   int
		ok      bool
	}{
		// First round: 9·1+1·4+1·6+3·7 = 40, 40 mod 11 = 7.
		{"90010130000", 7, true},
		// First round: 8+16+4+6+21+10+11 = 76 → 10; second round
		// (weights 3..11,1,2): 24+32+6+8+27+1+2 = 100 → 1.
		{"88010130011", 1, true},
		// NCA's test ids: first round 296 → 10, second 377 → 3; and
		// 307 → 10, 379 → 5.
		{"12345678901", 3, true},
		{"12345678902", 5, true},
		{"00000000000", 0, true},
		{"1234567890", 0, false},
		{"1234567890a", 0, false},
	}
	for _, tc := range tests {
		d, ok := ncakey.CheckDigit(tc.first11)
		if d != tc.digit || ok != tc.ok {
			t.Errorf("CheckDigit(%q) = %d, %v; want %d, %v", tc.first11, d, ok, tc.digit, tc.ok)
		}
	}
}

// TestCheckDigitBothRoundsFail finds an 11-digit prefix for which both
// weight rounds give 10 and checks that every 12th digit is refused.
func TestCheckDigitBothRoundsFail(t *testing.T) {
	for n := 0; n < 100000; n++ {
		p := fmt.Sprintf("900101%05d", n)
		if _, ok := ncakey.CheckDigit(p); ok {
			continue
		}
		for d := '0'; d <= '9'; d++ {
			err := ncakey.ValidIIN(p + string(d))
			wantErr(t, err, ncakey.ErrInvalidIdentifier)
			if !strings.Contains(err.Error(), "no check digit") {
				t.Fatalf("reason for %s%c: %v", p, d, err)
			}
		}
		return
	}
	t.Fatal("no prefix without a check digit found")
}

func TestValidIdentifier(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		allowTest bool
		want      error // nil, or a sentinel the error must wrap
		reason    string
	}{
		{"valid IIN", "880101300111", false, nil, ""},
		{"valid second round", "123456789013", false, nil, ""},
		{"valid BIN", "123456789025", false, nil, ""},
		{"wrong check digit", "880101300112", false, ncakey.ErrInvalidIdentifier, "wrong check digit"},
		{"NCA test IIN refused", ncakey.TestIIN, false, ncakey.ErrTestIdentifier, "test identifier"},
		{"NCA test IIN 2 refused", ncakey.TestIIN2, false, ncakey.ErrTestIdentifier, "test identifier"},
		{"NCA test BIN refused", ncakey.TestBIN, false, ncakey.ErrTestIdentifier, "test identifier"},
		{"NCA test IIN allowed", ncakey.TestIIN, true, nil, ""},
		{"NCA test BIN allowed", ncakey.TestBIN, true, nil, ""},
		{"test flag does not excuse other bad digits", "880101300112", true, ncakey.ErrInvalidIdentifier, "wrong check digit"},
		{"too short", "88010130011", false, ncakey.ErrInvalidIdentifier, "12 digits"},
		{"too long", "8801013001120", false, ncakey.ErrInvalidIdentifier, "12 digits"},
		{"empty", "", false, ncakey.ErrInvalidIdentifier, "12 digits"},
		{"letters", "88010130011a", false, ncakey.ErrInvalidIdentifier, "12 digits"},
		{"IIN prefix kept", "IIN880101300112", false, ncakey.ErrInvalidIdentifier, "12 digits"},
		{"non-ASCII digits", "８８0101300112", false, ncakey.ErrInvalidIdentifier, "12 digits"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ncakey.ValidIdentifier(tc.in, tc.allowTest)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("ValidIdentifier(%q, %v) = %v", tc.in, tc.allowTest, err)
				}
				return
			}
			wantErr(t, err, tc.want, ncakey.ErrInvalidIdentifier)
			var ie *ncakey.IdentifierError
			if !errors.As(err, &ie) || ie.Field != "IIN/BIN" || ie.Value != tc.in || !strings.Contains(ie.Reason, tc.reason) {
				t.Fatalf("error %#v: want field IIN/BIN, value %q, reason containing %q", ie, tc.in, tc.reason)
			}
		})
	}
}

func TestValidIINAndBINNameTheField(t *testing.T) {
	var ie *ncakey.IdentifierError
	if err := ncakey.ValidIIN(ncakey.TestIIN); !errors.As(err, &ie) || ie.Field != "IIN" || !errors.Is(err, ncakey.ErrTestIdentifier) {
		t.Errorf("ValidIIN(test IIN) = %v", err)
	}
	if err := ncakey.ValidBIN("12345678902x"); !errors.As(err, &ie) || ie.Field != "BIN" || !strings.Contains(err.Error(), "BIN") {
		t.Errorf("ValidBIN(bad) = %v", err)
	}
	if err := ncakey.ValidBIN("123456789025"); err != nil {
		t.Errorf("ValidBIN(valid) = %v", err)
	}
}
