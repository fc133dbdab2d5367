package envelope

import (
	"errors"
	"strings"
	"testing"
)

func TestFormGolden(t *testing.T) {
	golden(t, "form_910.xml", BuildForm("910.00", "27", sampleSheets("880101300010")))
}

func TestParseForm(t *testing.T) {
	f := sampleForm(t, "880101300010")
	if f.Code != "910.00" || f.Version != "27" || f.Taxpayer != "880101300010" {
		t.Fatalf("header: %+v", f)
	}
	if f.Period != (Period{Year: 2025, HalfYear: 1}) || f.Period.String() != "2025-H1" {
		t.Fatalf("period: %+v", f.Period)
	}
	if f.Period.Start().Format("2006-01-02") != "2025-01-01" || f.Period.End().Format("2006-01-02") != "2025-06-30" {
		t.Fatalf("period bounds %v..%v", f.Period.Start(), f.Period.End())
	}
	if f.Kind != KindRegular || !f.Kind.Exclusive() || f.Final {
		t.Fatalf("kind %q final %v", f.Kind, f.Final)
	}
	if v, _ := f.Field("field_910_00_001"); v != "1500000" {
		t.Fatalf("field value %q", v)
	}
}

func TestParseFormRefuses(t *testing.T) {
	good := string(BuildForm("910.00", "27", sampleSheets("880101300010")))
	cases := []struct {
		name  string
		doc   string
		opts  FormOptions
		field string
		want  error
	}{
		{"malformed", "<fno code=", FormOptions{}, "document", ErrMalformedXML},
		{"doctype", `<?xml version="1.0"?><!DOCTYPE fno [<!ENTITY x "y">]><fno/>`, FormOptions{}, "DOCTYPE", ErrMalformedXML},
		{"not fno", `<form/>`, FormOptions{}, "fno", ErrInvalidForm},
		{"no code", strings.Replace(good, `code="910.00"`, ``, 1), FormOptions{}, "fno/@code", ErrInvalidForm},
		{"no version", strings.Replace(good, `version="27"`, ``, 1), FormOptions{}, "fno/@version", ErrInvalidForm},
		{"no iin", strings.Replace(good, `name="iin"`, `name="rnn"`, 1), FormOptions{}, "iin", ErrInvalidForm},
		{"bad check digit", strings.Replace(good, "880101300010", "880101300011", 1), FormOptions{}, "iin", ErrInvalidForm},
		{"short iin", strings.Replace(good, "880101300010", "88010130001", 1), FormOptions{}, "iin", ErrInvalidForm},
		{"NCA test iin refused", strings.Replace(good, "880101300010", "123456789011", 1), FormOptions{}, "iin", ErrInvalidForm},
		{"no kind", strings.Replace(good, `name="dt_regular">1`, `name="dt_regular">0`, 1), FormOptions{}, "dt_main", ErrInvalidForm},
		{"two kinds", strings.Replace(good, `<field name="currency_code">`, `<field name="dt_main">1</field><field name="currency_code">`, 1), FormOptions{}, "dt_regular", ErrInvalidForm},
		{"bad year", strings.Replace(good, `"period_year">2025`, `"period_year">20x5`, 1), FormOptions{}, "period_year", ErrInvalidForm},
		{"bad half", strings.Replace(good, `"period_half_year">1`, `"period_half_year">3`, 1), FormOptions{}, "period_half_year", ErrInvalidForm},
		// A repeated field must repeat its value: the first no longer wins.
		{"half year contradicted on another page", replaceNth(good, `"period_half_year">1`, `"period_half_year">2`, 2), FormOptions{}, "period_half_year", ErrInvalidForm},
		{"year contradicted on another page", replaceNth(good, `"period_year">2025`, `"period_year">2024`, 3), FormOptions{}, "period_year", ErrInvalidForm},
		{"repeated empty", replaceNth(good, `"period_year">2025`, `"period_year">`, 2), FormOptions{}, "period_year", ErrInvalidForm},
		{"field twice on one sheet", strings.Replace(good, `<field name="field_910_00_001">1500000</field>`,
			`<field name="field_910_00_001">1500000</field><field name="field_910_00_001">1600000</field>`, 1), FormOptions{}, "field_910_00_001", ErrInvalidForm},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseForm([]byte(c.doc), c.opts)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Fatalf("error %v does not name field %q", err, c.field)
			}
		})
	}
}

// replaceNth replaces the n-th (1-based) occurrence of old in s.
func replaceNth(s, old, new string, n int) string {
	at := 0
	for i := 0; i < n; i++ {
		j := strings.Index(s[at:], old)
		if j < 0 {
			panic("replaceNth: too few occurrences of " + old)
		}
		at += j
		if i < n-1 {
			at += len(old)
		}
	}
	return s[:at] + new + s[at+len(old):]
}

// TestRepeatedFieldSameValue: the header repeated on every page with the
// same value, and a field given twice alike, are one field.
func TestRepeatedFieldSameValue(t *testing.T) {
	good := string(BuildForm("910.00", "27", sampleSheets("880101300010")))
	twice := strings.Replace(good, `<field name="field_910_00_001">1500000</field>`,
		`<field name="field_910_00_001">1500000</field><field name="field_910_00_001"> 1500000 </field>`, 1)
	f, err := ParseForm([]byte(twice), FormOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.Field("field_910_00_001"); v != "1500000" || f.Period.String() != "2025-H1" {
		t.Fatalf("field %q period %s", v, f.Period)
	}
}

func TestParseFormAcceptsTestIdentityWhenAllowed(t *testing.T) {
	doc := BuildForm("910.00", "27", sampleSheets("123456789011"))
	if _, err := ParseForm(doc, FormOptions{AllowTestIdentities: true}); err != nil {
		t.Fatal(err)
	}
}

func TestTemplateCheck(t *testing.T) {
	ts, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Check(sampleForm(t, "880101300010")); err != nil {
		t.Fatalf("good form refused: %v", err)
	}
	mk := func(version string, sheets []Sheet) *Form {
		f, err := ParseForm(BuildForm("910.00", version, sheets), FormOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	late := sampleSheets("880101300010")
	for i := range late {
		for j := range late[i].Fields {
			if late[i].Fields[j].Name == "period_year" {
				late[i].Fields[j].Value = "2027"
			}
		}
	}
	cases := []struct {
		name  string
		form  *Form
		field string
		want  error
	}{
		{"unknown version", mk("26", sampleSheets("880101300010")), "fno/@version", ErrUnknownTemplate},
		{"period outside window", mk("27", late), "period", ErrUnknownTemplate},
		{"unknown field", mk("27", sampleSheets("880101300010", FieldValue{"no_such_field", "1"})), "no_such_field", ErrInvalidForm},
		{"not a number", mk("27", sampleSheets("880101300010", FieldValue{"field_910_00_002", "12a"})), "field_910_00_002", ErrInvalidForm},
		{"too long", mk("27", sampleSheets("880101300010", FieldValue{"field_910_00_002", "1234567890123456"})), "field_910_00_002", ErrInvalidForm},
		{"bad checkbox", mk("27", sampleSheets("880101300010", FieldValue{"dt_final", "yes"})), "dt_final", ErrInvalidForm},
		// The fields the taxpayer must fill (mandatory.go).
		{"no half year", mk("27", without(sampleSheets("880101300010"), "period_half_year")), "period_half_year", ErrInvalidForm},
		{"no half year, period outside window", mk("27", without(late, "period_half_year")), "period_half_year", ErrInvalidForm},
		{"empty half year", mk("27", emptied(sampleSheets("880101300010"), "period_half_year")), "period_half_year", ErrInvalidForm},
		{"no currency code", mk("27", without(sampleSheets("880101300010"), "currency_code")), "currency_code", ErrInvalidForm},
		{"no taxpayer's name", mk("27", without(sampleSheets("880101300010"), "head_name")), "head_name", ErrInvalidForm},
		{"empty submission date", mk("27", emptied(sampleSheets("880101300010"), "submit_date")), "submit_date", ErrInvalidForm},
		{"bad submission date", mk("27", replaced(sampleSheets("880101300010"), "submit_date", "2025-08-14")), "submit_date", ErrInvalidForm},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ts.Check(c.form)
			var fe *FieldError
			if !errors.Is(err, c.want) || !errors.As(err, &fe) || fe.Field != c.field {
				t.Fatalf("got %v, want %v naming %q", err, c.want, c.field)
			}
		})
	}
}

// TestOfficeFieldsNotRequired: the tax office's block is mandatory in the
// template but never the taxpayer's to fill; the good form carries none
// of it and passes, and the office fields are known to the template.
func TestOfficeFieldsNotRequired(t *testing.T) {
	ts, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, _ := ts.Lookup("910.00", "27")
	want := []string{"currency_code", "head_name", "period_half_year", "period_year", "submit_date"}
	if strings.Join(tmpl.mandatory, " ") != strings.Join(want, " ") {
		t.Fatalf("taxpayer's mandatory fields %v, want %v", tmpl.mandatory, want)
	}
	for name := range officeFields {
		if spec, ok := tmpl.Fields[name]; !ok || !spec.Mandatory {
			t.Errorf("office field %s: in template %v, mandatory %v", name, ok, spec.Mandatory)
		}
	}
}

// without drops every field called name from sheets.
func without(sheets []Sheet, name string) []Sheet {
	return edit(sheets, name, func(FieldValue) []FieldValue { return nil })
}

// emptied sets every field called name to "".
func emptied(sheets []Sheet, name string) []Sheet { return replaced(sheets, name, "") }

// replaced sets every field called name to value.
func replaced(sheets []Sheet, name, value string) []Sheet {
	return edit(sheets, name, func(fv FieldValue) []FieldValue { return []FieldValue{{fv.Name, value}} })
}

// edit copies sheets, replacing every field called name by what f makes
// of it.
func edit(sheets []Sheet, name string, f func(FieldValue) []FieldValue) []Sheet {
	out := make([]Sheet, len(sheets))
	for i, sh := range sheets {
		out[i].Name = sh.Name
		for _, fv := range sh.Fields {
			if fv.Name == name {
				out[i].Fields = append(out[i].Fields, f(fv)...)
				continue
			}
			out[i].Fields = append(out[i].Fields, fv)
		}
	}
	return out
}
