package breaks_test

import (
	"errors"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/pkg/envelope"
)

// at reads a time in Astana (2026-12-07 is a Monday).
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05", s, envelope.Almaty())
	if err != nil {
		v, err = time.ParseInLocation("2006-01-02 15:04", s, envelope.Almaty())
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustParse(t *testing.T, s string) breaks.Schedule {
	t.Helper()
	sched, err := breaks.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return sched
}

func TestSchedule(t *testing.T) {
	const (
		nightly = "21:00-06:00"
		weekend = "21:00-06:00,sat,sun"
	)
	tests := []struct {
		schedule string
		at       string
		in       bool
		end      string // Next; "" means at itself
		start    string // NextStart; "" means none ahead
	}{
		// A window crossing midnight.
		{nightly, "2026-12-07 20:59:59", false, "", "2026-12-07 21:00"},
		{nightly, "2026-12-07 21:00", true, "2026-12-08 06:00", "2026-12-07 21:00"},
		{nightly, "2026-12-08 00:00", true, "2026-12-08 06:00", "2026-12-08 00:00"},
		{nightly, "2026-12-08 05:59:59", true, "2026-12-08 06:00", "2026-12-08 05:59:59"},
		{nightly, "2026-12-08 06:00", false, "", "2026-12-08 21:00"},
		{"22:00-06:00", "2026-12-07 21:30", false, "", "2026-12-07 22:00"},
		// Weekday boundaries: Friday night runs into the weekend, and the
		// weekend into Monday morning.
		{weekend, "2026-12-11 20:59", false, "", "2026-12-11 21:00"},
		{weekend, "2026-12-11 21:00", true, "2026-12-14 06:00", "2026-12-11 21:00"},
		{weekend, "2026-12-12 00:00", true, "2026-12-14 06:00", "2026-12-12 00:00"},
		{weekend, "2026-12-13 23:59:59", true, "2026-12-14 06:00", "2026-12-13 23:59:59"},
		{weekend, "2026-12-14 05:00", true, "2026-12-14 06:00", "2026-12-14 05:00"},
		{weekend, "2026-12-14 06:00", false, "", "2026-12-14 21:00"},
		{"sat,sun", "2026-12-11 23:59:59", false, "", "2026-12-12 00:00"},
		{"sat,sun", "2026-12-14 00:00", false, "", "2026-12-19 00:00"},
		{" SAT , Sun ", "2026-12-13 12:00", true, "2026-12-14 00:00", "2026-12-13 12:00"},
		// A weekday window crossing midnight belongs to the day it opens.
		{"sat 22:00-02:00", "2026-12-12 21:59", false, "", "2026-12-12 22:00"},
		{"sat 22:00-02:00", "2026-12-13 01:00", true, "2026-12-13 02:00", "2026-12-13 01:00"},
		{"sat 22:00-02:00", "2026-12-13 22:30", false, "", "2026-12-19 22:00"},
		{"fri 18:00-24:00", "2026-12-11 23:00", true, "2026-12-12 00:00", "2026-12-11 23:00"},
		// Holidays, adjacent dates as one break, a window on a date.
		{"2026-12-16,2026-12-17", "2026-12-15 23:59", false, "", "2026-12-16 00:00"},
		{"2026-12-16,2026-12-17", "2026-12-16 00:00", true, "2026-12-18 00:00", "2026-12-16 00:00"},
		{"2026-12-16,2026-12-17", "2026-12-18 00:00", false, "", ""},
		{"2026-12-31 18:00-02:00", "2027-01-01 01:00", true, "2027-01-01 02:00", "2027-01-01 01:00"},
		{"2026-12-31 18:00-02:00", "2026-12-31 17:00", false, "", "2026-12-31 18:00"},
		{"21:00-06:00,2026-12-16", "2026-12-15 22:00", true, "2026-12-17 06:00", "2026-12-15 22:00"},
		// Adjacent, overlapping and nested windows.
		{"01:00-02:00,02:00-03:00", "2026-12-07 01:30", true, "2026-12-07 03:00", "2026-12-07 01:30"},
		{"01:00-03:00,02:00-04:00", "2026-12-07 01:30", true, "2026-12-07 04:00", "2026-12-07 01:30"},
		{"01:00-03:00,02:00-04:00", "2026-12-07 02:30", true, "2026-12-07 04:00", "2026-12-07 02:30"},
		{"01:00-05:00,02:00-03:00", "2026-12-07 02:30", true, "2026-12-07 05:00", "2026-12-07 02:30"},
		{"02:00-03:00,01:00-05:00", "2026-12-07 00:30", false, "", "2026-12-07 01:00"},
		// No breaks.
		{"", "2026-12-07 21:30", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.schedule+"@"+tt.at, func(t *testing.T) {
			s := mustParse(t, tt.schedule)
			now := at(t, tt.at)
			if got := s.In(now); got != tt.in {
				t.Errorf("In = %v, want %v", got, tt.in)
			}
			want := now
			if tt.end != "" {
				want = at(t, tt.end)
			}
			if got := s.Next(now); !got.Equal(want) {
				t.Errorf("Next = %v, want %v", got, want)
			}
			start, ok := s.NextStart(now)
			if tt.start == "" {
				if ok {
					t.Errorf("NextStart = %v, want none", start)
				}
			} else if w := at(t, tt.start); !ok || !start.Equal(w) {
				t.Errorf("NextStart = %v %v, want %v", start, ok, w)
			}
		})
	}
}

// TestScheduleZone: times are read in Astana whatever zone they come in,
// and Kazakhstan has no daylight saving: every night of a year is a
// break of exactly nine hours, through the months other zones shift.
func TestScheduleZone(t *testing.T) {
	s := mustParse(t, "21:00-06:00")
	utc := time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC) // 21:00 in Astana
	if !s.In(utc) || s.In(utc.Add(-time.Nanosecond)) {
		t.Errorf("21:00 Astana given in UTC: In %v, a moment before %v", s.In(utc), s.In(utc.Add(-time.Nanosecond)))
	}
	if got, want := s.Next(utc), time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Next = %v, want %v", got, want)
	}
	for day := at(t, "2027-01-01 21:00"); day.Year() == 2027; day = day.AddDate(0, 0, 1) {
		if !s.In(day) || s.In(day.Add(-time.Second)) {
			t.Fatalf("%v: not the start of a break", day)
		}
		if got := s.Next(day).Sub(day); got != 9*time.Hour {
			t.Fatalf("%v: break of %v, want 9h", day, got)
		}
	}
}

func TestScheduleWithin(t *testing.T) {
	tests := []struct {
		schedule, from, to string
		want               time.Duration
	}{
		{"21:00-06:00", "2026-12-07 00:00", "2026-12-14 00:00", 7 * 9 * time.Hour},
		// Mon 00–06, four weeknights, Friday 21:00 to Monday 00:00.
		{"21:00-06:00,sat,sun", "2026-12-07 00:00", "2026-12-14 00:00", (6 + 4*9 + 51) * time.Hour},
		{"21:00-06:00", "2026-12-07 22:00", "2026-12-07 23:30", 90 * time.Minute},
		{"21:00-06:00", "2026-12-07 20:00", "2026-12-07 21:30", 30 * time.Minute},
		{"21:00-06:00", "2026-12-08 07:00", "2026-12-08 20:00", 0},
		{"", "2026-12-07 00:00", "2026-12-14 00:00", 0},
		{"2026-12-16", "2026-12-01 00:00", "2027-01-01 00:00", 24 * time.Hour},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.schedule)
		if got := s.Within(at(t, tt.from), at(t, tt.to)); got != tt.want {
			t.Errorf("%q Within(%s, %s) = %v, want %v", tt.schedule, tt.from, tt.to, got, tt.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"25:00-06:00", breaks.ErrSyntax},
		{"21:00-24:01", breaks.ErrSyntax},
		{"24:00-06:00", breaks.ErrSyntax},
		{"21:60-06:00", breaks.ErrSyntax},
		{"9:00-10:00", breaks.ErrSyntax},
		{"21:00", breaks.ErrSyntax},
		{"21-06", breaks.ErrSyntax},
		{"12:00-12:00", breaks.ErrSyntax},
		{"funday", breaks.ErrSyntax},
		{"2026-02-30", breaks.ErrSyntax},
		{"sat 21:00-06:00 extra", breaks.ErrSyntax},
		{"sat,,sun", breaks.ErrSyntax},
		{"21:00-06:00,", breaks.ErrSyntax},
		{"00:00-24:00", breaks.ErrAlways},
		{"mon,tue,wed,thu,fri,sat,sun", breaks.ErrAlways},
		{"12:00-24:00,00:00-12:00", breaks.ErrAlways},
	}
	for _, tt := range tests {
		if _, err := breaks.Parse(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("Parse(%q) = %v, want %v", tt.in, err, tt.want)
		}
	}
	var s breaks.Schedule
	if err := s.Set("21:00-06:00,sat"); err != nil || s.String() != "21:00-06:00,sat" || s.Empty() {
		t.Errorf("Set: %v, %q", err, s.String())
	}
	if err := s.Set("bad"); err == nil || s.String() != "21:00-06:00,sat" {
		t.Errorf("Set(bad): %v, kept %q", err, s.String())
	}
}
