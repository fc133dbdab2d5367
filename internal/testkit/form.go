package testkit

import (
	"strconv"

	"github.com/salyq/salyq/pkg/envelope"
)

// Form910 is an unsigned 910.00 first-half-2025 form of taxpayer, of the
// given kind, declaring amount as income: amounts tell forms apart. It
// carries every field the taxpayer must fill (envelope's mandatory.go).
func Form910(taxpayer string, kind envelope.Kind, amount int) []byte {
	return envelope.BuildForm("910.00", "27", []envelope.Sheet{
		{Name: "page_910_00_01", Fields: []envelope.FieldValue{
			{Name: "iin", Value: taxpayer},
			{Name: "period_year", Value: "2025"},
			{Name: "period_half_year", Value: "1"},
			{Name: string(kind), Value: "1"},
			{Name: "currency_code", Value: "398"},
			{Name: "payer_name1", Value: "ТЕСТОВ"},
			{Name: "field_910_00_001", Value: strconv.Itoa(amount)},
		}},
		{Name: "page_910_00_02", Fields: []envelope.FieldValue{
			{Name: "period_year", Value: "2025"},
			{Name: "period_half_year", Value: "1"},
		}},
		{Name: "page_910_00_04", Fields: []envelope.FieldValue{
			{Name: "period_year", Value: "2025"},
			{Name: "period_half_year", Value: "1"},
			{Name: "head_name", Value: "ТЕСТОВ"},
			{Name: "submit_date", Value: "14.08.2025"},
		}},
	})
}
