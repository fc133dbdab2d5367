package sonosim

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// DailyWindow is a daily break in Asia/Almaty time, as offsets from
// midnight. Start > End crosses midnight (21:00-06:00).
type DailyWindow struct {
	Start, End time.Duration
}

func (w DailyWindow) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", int(w.Start.Hours()), int(w.Start.Minutes())%60, int(w.End.Hours()), int(w.End.Minutes())%60)
}

// ParseDailyWindows reads comma-separated "HH:MM-HH:MM" windows, e.g.
// "21:00-06:00" (seed 004's night break).
func ParseDailyWindows(s string) ([]DailyWindow, error) {
	var out []DailyWindow
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		a, b, ok := strings.Cut(part, "-")
		start, err1 := parseClock(a)
		end, err2 := parseClock(b)
		if !ok || err1 != nil || err2 != nil || start == end {
			return nil, configErr("maintenance", "%q: want HH:MM-HH:MM with different ends", part)
		}
		out = append(out, DailyWindow{Start: start, End: end})
	}
	return out, nil
}

func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// until returns when the window containing t ends, or false if t is
// outside it.
func (w DailyWindow) until(t time.Time, loc *time.Location) (time.Time, bool) {
	l := t.In(loc)
	midnight := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	at := func(day int, off time.Duration) time.Time {
		return time.Date(l.Year(), l.Month(), l.Day()+day, int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, loc)
	}
	off := l.Sub(midnight)
	switch {
	case w.Start < w.End && off >= w.Start && off < w.End:
		return at(0, w.End), true
	case w.Start > w.End && off >= w.Start:
		return at(1, w.End), true
	case w.Start > w.End && off < w.End:
		return at(0, w.End), true
	}
	return time.Time{}, false
}

// maintenance decides whether the gateway is in a break.
type maintenance struct {
	cfg Maintenance
	loc *time.Location

	mu    sync.Mutex
	epoch time.Time // start of the periodic schedule
}

// active returns how long the break at now lasts, or 0 outside breaks.
func (m *maintenance) active(now time.Time) time.Duration {
	for _, w := range m.cfg.Daily {
		if end, ok := w.until(now, m.loc); ok {
			return end.Sub(now)
		}
	}
	if m.cfg.Every > 0 && m.cfg.For > 0 {
		m.mu.Lock()
		epoch := m.epoch
		m.mu.Unlock()
		if el := now.Sub(epoch); el >= 0 {
			if off := el % m.cfg.Every; off >= m.cfg.Every-m.cfg.For {
				return m.cfg.Every - off
			}
		}
	}
	return 0
}

func (m *maintenance) reset(now time.Time) {
	m.mu.Lock()
	m.epoch = now
	m.mu.Unlock()
}
