package envelope

import (
	"fmt"
	"strconv"
	"time"
)

// Period is the tax period a form reports on. Exactly one of HalfYear,
// Quarter and Month is set, or none for an annual form.
type Period struct {
	Year     int
	HalfYear int // 1 or 2
	Quarter  int // 1..4
	Month    int // 1..12
}

// Start is the first day of the period (a calendar date, UTC midnight).
func (p Period) Start() time.Time {
	m := 1
	switch {
	case p.HalfYear > 0:
		m = (p.HalfYear-1)*6 + 1
	case p.Quarter > 0:
		m = (p.Quarter-1)*3 + 1
	case p.Month > 0:
		m = p.Month
	}
	return time.Date(p.Year, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
}

// End is the last day of the period (a calendar date, UTC midnight).
func (p Period) End() time.Time {
	months := 12
	switch {
	case p.HalfYear > 0:
		months = 6
	case p.Quarter > 0:
		months = 3
	case p.Month > 0:
		months = 1
	}
	return p.Start().AddDate(0, months, -1)
}

// String renders the period as 2025, 2025-H1, 2025-Q3 or 2025-07.
func (p Period) String() string {
	switch {
	case p.HalfYear > 0:
		return fmt.Sprintf("%d-H%d", p.Year, p.HalfYear)
	case p.Quarter > 0:
		return fmt.Sprintf("%d-Q%d", p.Year, p.Quarter)
	case p.Month > 0:
		return fmt.Sprintf("%d-%02d", p.Year, p.Month)
	}
	return strconv.Itoa(p.Year)
}

// periodFields are the form fields a period is read from, with their range.
var periodFields = []struct {
	name     string
	min, max int
	set      func(*Period, int)
}{
	{"period_half_year", 1, 2, func(p *Period, v int) { p.HalfYear = v }},
	{"period_quarter", 1, 4, func(p *Period, v int) { p.Quarter = v }},
	{"period_month", 1, 12, func(p *Period, v int) { p.Month = v }},
}

func readPeriod(f *Form) (Period, error) {
	var p Period
	y, ok := f.Field("period_year")
	if !ok || y == "" {
		return p, fieldErr(ErrInvalidForm, "period_year", "missing")
	}
	year, err := strconv.Atoi(y)
	if err != nil || year < 1990 || year > 2100 {
		return p, fieldErr(ErrInvalidForm, "period_year", "%q is not a year", y)
	}
	p.Year = year
	set := 0
	for _, pf := range periodFields {
		v, ok := f.Field(pf.name)
		if !ok || v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < pf.min || n > pf.max {
			return p, fieldErr(ErrInvalidForm, pf.name, "%q is not in %d..%d", v, pf.min, pf.max)
		}
		pf.set(&p, n)
		set++
	}
	if set > 1 {
		return p, fieldErr(ErrInvalidForm, "period", "more than one of half year, quarter, month is set")
	}
	return p, nil
}
