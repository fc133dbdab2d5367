package ncakey

import (
	"time"
	_ "time/tzdata" // Asia/Almaty must resolve on hosts without a zoneinfo database
)

// astana is Kazakhstan's time zone (Asia/Almaty: +05:00 since
// 2024-03-01, +06:00 before). Users read certificate dates in it, so a
// key that expired at 23:00 UTC expired "tomorrow" for them.
func astana() *time.Location {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		// Unreachable with tzdata linked in; the current offset is the
		// right answer for any key in use today.
		return time.FixedZone("+05", 5*60*60)
	}
	return loc
}

// AstanaDate renders t's date in Kazakhstan's time, as YYYY-MM-DD.
func AstanaDate(t time.Time) string { return t.In(astana()).Format(time.DateOnly) }

// AstanaTime renders t in Kazakhstan's time with its offset
// (2026-03-01T10:00:00+05:00).
func AstanaTime(t time.Time) string { return t.In(astana()).Format(time.RFC3339) }
