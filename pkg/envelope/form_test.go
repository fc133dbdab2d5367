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
