package breaks

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/salyq/salyq/pkg/envelope"
)

// minutesPerDay bounds a window: no break of one item lasts longer.
const minutesPerDay = 24 * 60

// weekdays are the names a schedule gives days by.
var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// Parse reads a schedule in the grammar of the package documentation, in
// Astana time. The empty string is no breaks.
func Parse(s string) (Schedule, error) {
	return parseIn(s, envelope.Almaty())
}

func parseIn(s string, loc *time.Location) (Schedule, error) {
	sched := Schedule{text: strings.TrimSpace(s), loc: loc}
	if sched.text == "" {
		return Schedule{}, nil
	}
	for item := range strings.SplitSeq(sched.text, ",") {
		r, err := parseItem(strings.TrimSpace(item), loc)
		if err != nil {
			return Schedule{}, err
		}
		sched.rules = append(sched.rules, r)
	}
	if sched.weeklyAlways() {
		return Schedule{}, fmt.Errorf("%w: %q", ErrAlways, sched.text)
	}
	return sched, nil
}

// parseItem reads one item: a window, a day, a date, or a day or date
// followed by a window.
func parseItem(item string, loc *time.Location) (rule, error) {
	if item == "" {
		return rule{}, fmt.Errorf("%w: empty item (want HH:MM-HH:MM, a weekday or a date)", ErrSyntax)
	}
	fields := strings.Fields(item)
	if len(fields) > 2 {
		return rule{}, fmt.Errorf("%w: %q: too many words (want a weekday or a date, then HH:MM-HH:MM)", ErrSyntax, item)
	}
	r := rule{start: 0, length: minutesPerDay}
	day := fields[0]
	window := ""
	if len(fields) == 2 {
		window = fields[1]
	} else if strings.Contains(day, ":") {
		day, window = "", fields[0]
	}
	if day != "" {
		if wd, ok := weekdays[strings.ToLower(day)]; ok {
			r.days = 1 << wd
		} else if d, err := time.ParseInLocation(time.DateOnly, day, loc); err == nil {
			r.date = d
		} else {
			return rule{}, fmt.Errorf("%w: %q: %q is neither a weekday (mon … sun) nor a date (YYYY-MM-DD)", ErrSyntax, item, day)
		}
	}
	if window != "" {
		start, length, err := parseWindow(window)
		if err != nil {
			return rule{}, fmt.Errorf("%w: %q: %w", ErrSyntax, item, err)
		}
		r.start, r.length = start, length
	}
	return r, nil
}

// parseWindow reads HH:MM-HH:MM into its start (minutes after midnight)
// and length in minutes; an end before the start is the next day's.
func parseWindow(w string) (start, length int, err error) {
	from, to, ok := strings.Cut(w, "-")
	if !ok {
		return 0, 0, fmt.Errorf("window %q: want HH:MM-HH:MM", w)
	}
	if start, err = parseClock(from, false); err != nil {
		return 0, 0, err
	}
	end, err := parseClock(to, true)
	if err != nil {
		return 0, 0, err
	}
	switch {
	case end == start:
		return 0, 0, fmt.Errorf("window %q is empty (a whole day is 00:00-24:00)", w)
	case end < start:
		end += minutesPerDay
	}
	return start, end - start, nil
}

// parseClock reads HH:MM as minutes after midnight; 24:00 only as an end.
func parseClock(s string, end bool) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	h, herr := strconv.Atoi(hh)
	m, merr := strconv.Atoi(mm)
	if !ok || len(hh) != 2 || len(mm) != 2 || herr != nil || merr != nil || h < 0 || m < 0 || m > 59 {
		return 0, fmt.Errorf("time %q: want HH:MM", s)
	}
	if h == 24 && m == 0 && end {
		return minutesPerDay, nil
	}
	if h > 23 {
		return 0, fmt.Errorf("time %q: want 00:00 to 23:59 (24:00 only as an end)", s)
	}
	return h*60 + m, nil
}

// weeklyAlways reports whether the weekly items alone leave no minute of
// the week free.
func (s Schedule) weeklyAlways() bool {
	const week = 7 * minutesPerDay
	var covered [week]bool
	for _, r := range s.rules {
		if !r.date.IsZero() {
			continue
		}
		for wd := range 7 {
			if !r.on(time.Weekday(wd)) {
				continue
			}
			for m := range r.length {
				covered[(wd*minutesPerDay+r.start+m)%week] = true
			}
		}
	}
	for _, c := range covered {
		if !c {
			return false
		}
	}
	return true
}

// Set parses v into s: a schedule is a flag value (pflag.Value).
func (s *Schedule) Set(v string) error {
	p, err := Parse(v)
	if err != nil {
		return err
	}
	*s = p
	return nil
}

// Type names the value in help.
func (s *Schedule) Type() string { return "breaks" }
