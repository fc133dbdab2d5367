package breaks

import (
	"time"
)

// Schedule is a set of planned breaks. The zero Schedule has none.
type Schedule struct {
	text  string
	rules []rule
	loc   *time.Location
}

// rule is one item of a schedule: a window of length minutes starting
// start minutes after midnight on every day it names.
type rule struct {
	days   uint8     // weekday bits; none (and no date): every day
	date   time.Time // midnight of its date; zero: a recurring rule
	start  int
	length int
}

// on reports whether the rule's window opens on weekday wd, for a
// recurring rule.
func (r rule) on(wd time.Weekday) bool { return r.days == 0 || r.days&(1<<wd) != 0 }

// window returns the rule's break opening on the day of midnight, if the
// rule has one that day.
func (r rule) window(midnight time.Time) (from, to time.Time, ok bool) {
	if r.date.IsZero() {
		if !r.on(midnight.Weekday()) {
			return time.Time{}, time.Time{}, false
		}
	} else if !r.date.Equal(midnight) {
		return time.Time{}, time.Time{}, false
	}
	y, m, d := midnight.Date()
	loc := midnight.Location()
	return time.Date(y, m, d, 0, r.start, 0, 0, loc), time.Date(y, m, d, 0, r.start+r.length, 0, 0, loc), true
}

// String is the schedule as it was written.
func (s Schedule) String() string { return s.text }

// Empty reports whether the schedule has no breaks.
func (s Schedule) Empty() bool { return len(s.rules) == 0 }

// midnight is the start of t's day in the schedule's zone, shifted by
// days.
func (s Schedule) midnight(t time.Time, days int) time.Time {
	y, m, d := t.In(s.loc).Date()
	return time.Date(y, m, d+days, 0, 0, 0, 0, s.loc)
}

// latestEnd returns the latest end of the windows that contain t.
func (s Schedule) latestEnd(t time.Time) (time.Time, bool) {
	var end time.Time
	if s.Empty() {
		return end, false
	}
	// No window lasts longer than a day, so one containing t opened
	// today or yesterday.
	for days := -1; days <= 0; days++ {
		day := s.midnight(t, days)
		for _, r := range s.rules {
			if from, to, ok := r.window(day); ok && !t.Before(from) && t.Before(to) && to.After(end) {
				end = to
			}
		}
	}
	return end, !end.IsZero()
}

// In reports whether t falls in a break.
func (s Schedule) In(t time.Time) bool {
	_, ok := s.latestEnd(t)
	return ok
}

// maxChain bounds how many windows Next follows through touching breaks:
// the weekly ones leave a gap every week (Parse refuses the rest), so
// only a run of dated windows could be longer.
const maxChain = 100_000

// Next returns the end of the break t falls in, following breaks that
// touch or overlap it (21:00-06:00 on a Friday and a whole Saturday and
// Sunday end on Monday at 06:00); t itself if t is in no break.
func (s Schedule) Next(t time.Time) time.Time {
	end := t
	for range maxChain {
		e, ok := s.latestEnd(end)
		if !ok {
			break
		}
		end = e
	}
	return end
}

// NextStart returns when the next break starts at or after t (t itself
// if t is in one); false if no break lies ahead.
func (s Schedule) NextStart(t time.Time) (time.Time, bool) {
	if s.Empty() {
		return time.Time{}, false
	}
	if s.In(t) {
		return t, true
	}
	var first time.Time
	found := func(from time.Time) {
		if from.After(t) && (first.IsZero() || from.Before(first)) {
			first = from
		}
	}
	for _, r := range s.rules {
		if !r.date.IsZero() {
			if from, _, ok := r.window(r.date); ok {
				found(from)
			}
			continue
		}
		// A recurring window opens again within a week.
		for days := 0; days <= 7; days++ {
			if from, _, ok := r.window(s.midnight(t, days)); ok && from.After(t) {
				found(from)
				break
			}
		}
	}
	return first, !first.IsZero()
}

// Within returns how much of [from, to) falls in breaks.
func (s Schedule) Within(from, to time.Time) time.Duration {
	var total time.Duration
	for t := from; t.Before(to); {
		if s.In(t) {
			end := s.Next(t)
			total += minTime(end, to).Sub(t)
			t = end
			continue
		}
		start, ok := s.NextStart(t)
		if !ok {
			break
		}
		t = start
	}
	return total
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
