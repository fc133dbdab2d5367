package envelope

import (
	"strings"

	"github.com/beevik/etree"
)

// Form is an FNO document: fno/form/sheetGroup/sheet/field, with the header
// values salyq routes and deduplicates by, read and checked at parse time.
type Form struct {
	doc    *etree.Document
	fields map[string]string

	// Code is the form code, e.g. "910.00".
	Code string
	// Version is the template version the form was filled in, e.g. "27".
	Version string
	// Taxpayer is the IIN or BIN in the iin field.
	Taxpayer string
	// Period is the tax period.
	Period Period
	// Kind is the filing kind (dt_main, dt_regular, …).
	Kind Kind
	// Final marks a liquidation filing (dt_final).
	Final bool
}

// FormOptions tunes form checks.
type FormOptions struct {
	// AllowTestIdentities accepts the NCA test IIN/BIN, whose check digits
	// are wrong. Only for the test environment.
	AllowTestIdentities bool
}

// ParseForm parses and checks an FNO document, signed or not.
func ParseForm(data []byte, opts FormOptions) (*Form, error) {
	doc, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	return formFromDoc(doc, opts)
}

func formFromDoc(doc *etree.Document, opts FormOptions) (*Form, error) {
	root := doc.Root()
	if root.Tag != "fno" || root.Space != "" {
		return nil, fieldErr(ErrInvalidForm, "fno", "root element is <%s>, want <fno>", root.FullTag())
	}
	f := &Form{doc: doc, fields: map[string]string{}}
	// The sheet each field was first met on, to name both places when a
	// repetition contradicts it.
	firstSheet := map[string]string{}
	for _, a := range []struct {
		name string
		dst  *string
	}{{"code", &f.Code}, {"version", &f.Version}} {
		v := strings.TrimSpace(root.SelectAttrValue(a.name, ""))
		if v == "" {
			return nil, fieldErr(ErrInvalidForm, "fno/@"+a.name, "missing")
		}
		*a.dst = v
	}
	forms := root.SelectElements("form")
	if len(forms) == 0 {
		return nil, fieldErr(ErrInvalidForm, "fno/form", "missing")
	}
	for _, form := range forms {
		for _, sg := range form.SelectElements("sheetGroup") {
			for _, sheet := range sg.SelectElements("sheet") {
				for _, fld := range sheet.SelectElements("field") {
					name := fld.SelectAttrValue("name", "")
					if name == "" {
						return nil, fieldErr(ErrInvalidForm, "field/@name", "missing in sheet %q", sheet.SelectAttrValue("name", ""))
					}
					// The template repeats the header fields (iin,
					// period_year, period_half_year) on every page: a
					// repetition must say the same, or the form states two
					// periods (or two taxpayers) at once. A present but
					// empty repetition contradicts too: leaving a field out
					// is how a page says nothing.
					v, sheetName := strings.TrimSpace(fld.Text()), sheet.SelectAttrValue("name", "")
					if prev, dup := f.fields[name]; dup {
						if prev != v {
							return nil, fieldErr(ErrInvalidForm, name, "%q on sheet %q contradicts %q on sheet %q",
								v, sheetName, prev, firstSheet[name])
						}
						continue
					}
					f.fields[name], firstSheet[name] = v, sheetName
				}
			}
		}
	}
	iin, ok := f.fields["iin"]
	if !ok || iin == "" {
		return nil, fieldErr(ErrInvalidForm, "iin", "missing")
	}
	if err := checkTaxpayerID(iin, opts.AllowTestIdentities); err != nil {
		return nil, fieldErr(ErrInvalidForm, "iin", "%v", err)
	}
	f.Taxpayer = iin
	var err error
	if f.Period, err = readPeriod(f); err != nil {
		return nil, err
	}
	if f.Kind, err = readKind(f); err != nil {
		return nil, err
	}
	f.Final = isSet(f.fields[FinalField])
	return f, nil
}

// Field returns the value of a form field and whether the form has it.
func (f *Form) Field(name string) (string, bool) {
	v, ok := f.fields[name]
	return v, ok
}

// FieldNames returns the names of the fields the form carries.
func (f *Form) FieldNames() []string {
	out := make([]string, 0, len(f.fields))
	for n := range f.fields {
		out = append(out, n)
	}
	return out
}

// Element returns the fno root element. Callers must not modify it.
func (f *Form) Element() *etree.Element { return f.doc.Root() }

// Bytes serializes the form as it stands, without re-indenting.
func (f *Form) Bytes() ([]byte, error) { return f.doc.WriteToBytes() }

// Sheet is one page of a form being built, in document order.
type Sheet struct {
	Name   string
	Fields []FieldValue
}

// FieldValue is one field of a sheet.
type FieldValue struct {
	Name, Value string
}

// BuildForm writes an unsigned FNO document with the given sheets, in one
// sheet group. The result is what ParseForm reads.
func BuildForm(code, version string, sheets []Sheet) []byte {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("fno")
	root.CreateAttr("code", code)
	root.CreateAttr("version", version)
	root.CreateAttr("formatVersion", "1")
	form := root.CreateElement("form")
	form.CreateAttr("name", "form_"+strings.ReplaceAll(code, ".", "_"))
	sg := form.CreateElement("sheetGroup")
	for _, s := range sheets {
		sheet := sg.CreateElement("sheet")
		sheet.CreateAttr("name", s.Name)
		for _, fv := range s.Fields {
			fe := sheet.CreateElement("field")
			fe.CreateAttr("name", fv.Name)
			fe.SetText(fv.Value)
		}
	}
	out, _ := doc.WriteToBytes() // writing to memory cannot fail
	return out
}
