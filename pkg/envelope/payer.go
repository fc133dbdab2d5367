package envelope

import "strings"

// payerNameFields are the fields that name the taxpayer on a form, in
// order: 910.00 splits the name into surname, first name and patronymic
// (or a company's name over the three), other forms may carry one.
var payerNameFields = []string{"payer_name1", "payer_name2", "payer_name3", "payer_name"}

// PayerName is the taxpayer's name as the form gives it, its parts
// joined by spaces; empty if the form names nobody.
func (f *Form) PayerName() string {
	var parts []string
	for _, n := range payerNameFields {
		if v, ok := f.fields[n]; ok && strings.TrimSpace(v) != "" {
			parts = append(parts, strings.TrimSpace(v))
		}
	}
	return strings.Join(parts, " ")
}
