package envelope

import (
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Template is the part of an official FNO machine template that salyq
// checks forms against: the validity window of the version and the fields.
type Template struct {
	Code    string `json:"code"`
	Version string `json:"version"`
	// Start and End bound the tax periods this version may report
	// (inclusive, calendar dates "2006-01-02").
	Start  string               `json:"startDate"`
	End    string               `json:"endDate"`
	Fields map[string]FieldSpec `json:"fields"`

	start, end time.Time
	// mandatory are the fields the taxpayer must fill, sorted.
	mandatory []string
}

// FieldSpec describes one template field.
type FieldSpec struct {
	Sheet string `json:"sheet"`
	// Type is the template's element name: numericField, textField,
	// dateField, checkbox, tcheckbox, radioButton, barcode, …
	Type      string   `json:"type"`
	Length    int      `json:"length,omitempty"`
	Mandatory bool     `json:"mandatory,omitempty"`
	Min       *float64 `json:"min,omitempty"`
	Max       *float64 `json:"max,omitempty"`
}

//go:embed templates/*.json
var templateFiles embed.FS

// Templates is the set of form templates salyq knows.
type Templates struct {
	byKey map[string]*Template
}

// LoadTemplates returns the templates embedded in the binary.
func LoadTemplates() (*Templates, error) {
	entries, err := templateFiles.ReadDir("templates")
	if err != nil {
		return nil, err
	}
	ts := &Templates{byKey: map[string]*Template{}}
	for _, e := range entries {
		data, err := templateFiles.ReadFile("templates/" + e.Name())
		if err != nil {
			return nil, err
		}
		var t Template
		if err := json.Unmarshal(data, &t); err != nil {
			return nil, fmt.Errorf("template %s: %w", e.Name(), err)
		}
		if err := ts.Add(&t); err != nil {
			return nil, fmt.Errorf("template %s: %w", e.Name(), err)
		}
	}
	return ts, nil
}

// Add registers a template, replacing one of the same code and version.
func (ts *Templates) Add(t *Template) error {
	var err error
	if t.start, err = time.Parse(time.DateOnly, t.Start); err != nil {
		return fmt.Errorf("startDate: %w", err)
	}
	if t.end, err = time.Parse(time.DateOnly, t.End); err != nil {
		return fmt.Errorf("endDate: %w", err)
	}
	t.mandatory = t.taxpayerMandatory()
	ts.byKey[t.Code+"/"+t.Version] = t
	return nil
}

// Lookup returns the template of a form code and version.
func (ts *Templates) Lookup(code, version string) (*Template, bool) {
	t, ok := ts.byKey[code+"/"+version]
	return t, ok
}

// Covering returns the versions of code whose window contains period.
func (ts *Templates) Covering(code string, p Period) []string {
	var out []string
	for _, t := range ts.byKey {
		if t.Code == code && t.covers(p) {
			out = append(out, t.Version)
		}
	}
	sort.Strings(out)
	return out
}

func (t *Template) covers(p Period) bool {
	return !p.Start().Before(t.start) && !p.End().After(t.end)
}

// Check verifies a form against its template: the version exists, the
// taxpayer filled every mandatory field (mandatory.go; before the window,
// since without its half-year a form reads as a whole year), the version's
// window contains the tax period (seed 000: the version sent must be the
// one in force for the period), and every field is known and well typed.
func (ts *Templates) Check(f *Form) error {
	t, ok := ts.Lookup(f.Code, f.Version)
	if !ok {
		return fieldErr(ErrUnknownTemplate, "fno/@version", "no template for form %s version %s", f.Code, f.Version)
	}
	if err := t.checkMandatory(f); err != nil {
		return err
	}
	if !t.covers(f.Period) {
		hint := ""
		if vs := ts.Covering(f.Code, f.Period); len(vs) > 0 {
			hint = "; use version " + strings.Join(vs, " or ")
		}
		return fieldErr(ErrUnknownTemplate, "period", "%s is outside %s..%s of form %s version %s%s",
			f.Period, t.Start, t.End, f.Code, f.Version, hint)
	}
	names := f.FieldNames()
	sort.Strings(names)
	for _, name := range names {
		spec, ok := t.Fields[name]
		if !ok {
			return fieldErr(ErrInvalidForm, name, "not a field of form %s version %s", f.Code, f.Version)
		}
		v, _ := f.Field(name)
		if err := spec.check(v); err != nil {
			return fieldErr(ErrInvalidForm, name, "%v", err)
		}
	}
	return nil
}

var numericRE = regexp.MustCompile(`^-?[0-9]+([.,][0-9]+)?$`)

func (s FieldSpec) check(v string) error {
	if v == "" {
		return nil
	}
	switch s.Type {
	case "numericField":
		if !numericRE.MatchString(v) {
			return fmt.Errorf("%q is not a number", v)
		}
		digits := strings.TrimLeft(strings.SplitN(strings.ReplaceAll(v, ",", "."), ".", 2)[0], "-")
		if s.Length > 0 && len(digits) > s.Length {
			return fmt.Errorf("%q is longer than %d digits", v, s.Length)
		}
		n, _ := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
		if s.Min != nil && n < *s.Min {
			return fmt.Errorf("%s is below %v", v, *s.Min)
		}
		if s.Max != nil && n > *s.Max {
			return fmt.Errorf("%s is above %v", v, *s.Max)
		}
	case "checkbox", "tcheckbox", "radioButton":
		switch v {
		case "0", "1", "true", "false":
		default:
			return fmt.Errorf("%q is not a checkbox value (0 or 1)", v)
		}
	case "dateField":
		if _, err := time.Parse("02.01.2006", v); err != nil {
			return fmt.Errorf("%q is not a date dd.mm.yyyy", v)
		}
	default:
		if s.Length > 0 && utf8.RuneCountInString(v) > s.Length {
			return fmt.Errorf("longer than %d characters", s.Length)
		}
	}
	return nil
}
