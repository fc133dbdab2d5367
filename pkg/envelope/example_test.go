package envelope_test

import (
	"fmt"

	"github.com/salyq/salyq/pkg/envelope"
)

// ExampleParseForm builds an unsigned 910.00 form, as accounting software
// would fill it in, and reads back what the rest of salyq keys on. A form
// that breaks a rule is refused with the field and the reason.
func ExampleParseForm() {
	data := envelope.BuildForm("910.00", "27", []envelope.Sheet{
		{Name: "page_910_00_01", Fields: []envelope.FieldValue{
			{Name: "iin", Value: "900101300017"},
			{Name: "period_year", Value: "2025"},
			{Name: "period_half_year", Value: "1"},
			{Name: "dt_regular", Value: "1"},
			{Name: "payer_name1", Value: "ТЕСТОВ"},
		}},
	})
	f, err := envelope.ParseForm(data, envelope.FormOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Code, f.Version, f.Taxpayer, f.Period, f.Kind)

	bad := envelope.BuildForm("910.00", "27", []envelope.Sheet{
		{Name: "page_910_00_01", Fields: []envelope.FieldValue{{Name: "iin", Value: "12345"}}},
	})
	_, err = envelope.ParseForm(bad, envelope.FormOptions{})
	fmt.Println(err)
	// Output:
	// 910.00 27 900101300017 2025-H1 dt_regular
	// invalid form: iin: ncakey: IIN/BIN "12345": must be 12 digits
}
