package envelope

import "sort"

// officeFields are the fields of the block "заполняется работником органа
// государственных доходов" at the foot of an FNO: the official who took
// a paper form, the dates of acceptance and of the postmark, the incoming
// number. The templates mark them isMandatory because the form is not
// complete without them, but the tax office fills them (SONO, for an
// electronic filing), never the taxpayer. The names are the same on every
// form of the KNP family. Evidence: docs/fno/README.md.
var officeFields = map[string]bool{
	"receptor_name": true,
	"accept_date":   true,
	"in_doc_number": true,
	"post_date":     true,
}

// taxpayerMandatory lists, sorted, the fields of t the taxpayer must fill:
// those the template marks isMandatory, less the tax office's.
func (t *Template) taxpayerMandatory() []string {
	var out []string
	for name, spec := range t.Fields {
		if spec.Mandatory && !officeFields[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// checkMandatory refuses a form that leaves a taxpayer's mandatory field
// out or empty, naming the field. On 910.00 that makes the half-year
// required: without it the form would silently report on a whole year,
// which a half-yearly declaration cannot.
func (t *Template) checkMandatory(f *Form) error {
	for _, name := range t.mandatory {
		if v, ok := f.Field(name); !ok || v == "" {
			return fieldErr(ErrInvalidForm, name, "mandatory in form %s version %s, missing", f.Code, f.Version)
		}
	}
	return nil
}
