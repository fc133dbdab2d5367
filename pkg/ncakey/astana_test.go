package ncakey_test

import (
	"testing"
	"time"

	"github.com/salyq/salyq/pkg/ncakey"
)

// TestAstanaDates: dates are Kazakhstan's, +05:00 since 2024-03-01 and
// +06:00 before, so a key that ran out in the UTC evening ran out the next
// day for its holder.
func TestAstanaDates(t *testing.T) {
	for _, tc := range []struct {
		at         time.Time
		date, full string
	}{
		{time.Date(2026, 2, 28, 20, 0, 0, 0, time.UTC), "2026-03-01", "2026-03-01T01:00:00+05:00"},
		{time.Date(2026, 2, 28, 18, 59, 0, 0, time.UTC), "2026-02-28", "2026-02-28T23:59:00+05:00"},
		{time.Date(2024, 1, 1, 18, 30, 0, 0, time.UTC), "2024-01-02", "2024-01-02T00:30:00+06:00"},
	} {
		if got := ncakey.AstanaDate(tc.at); got != tc.date {
			t.Errorf("AstanaDate(%s) = %s, want %s", tc.at, got, tc.date)
		}
		if got := ncakey.AstanaTime(tc.at); got != tc.full {
			t.Errorf("AstanaTime(%s) = %s, want %s", tc.at, got, tc.full)
		}
	}
	e := &ncakey.ValidityError{At: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2026, 2, 28, 20, 0, 0, 0, time.UTC), Err: ncakey.ErrExpired}
	if want := "ncakey: certificate expired: valid until 2026-03-01T01:00:00+05:00, used at 2026-06-01T05:00:00+05:00"; e.Error() != want {
		t.Errorf("ValidityError = %q, want %q", e.Error(), want)
	}
}
