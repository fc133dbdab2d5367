package app

import (
	"fmt"
	"strconv"

	"github.com/salyq/salyq/pkg/envelope"
)

// samplePeriods are the half-years of 910.00 version 27's window that
// have ended.
var samplePeriods = []struct{ year, half int }{
	{2023, 1}, {2023, 2}, {2024, 1}, {2024, 2}, {2025, 1}, {2025, 2}, {2026, 1},
}

// SampleForms makes n unsigned 910.00 forms for the given taxpayers, as an
// accounting firm's quarter-end batch would look: first each taxpayer's
// regular filings for the half-years of the template's window, then
// additional filings (which SONO takes any number of) with other amounts.
// The same arguments always give the same forms.
func SampleForms(taxpayers []string, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = SampleForm(taxpayers, i)
	}
	return out
}

// SampleForm is the i-th form of SampleForms, made alone so that large
// batches can be streamed.
func SampleForm(taxpayers []string, i int) []byte {
	s := sampleOf(taxpayers, i)
	return envelope.BuildForm("910.00", "27", sampleSheets(s.taxpayer, s.year, s.half, s.kind, s.income))
}

// sample is what the i-th sample form says.
type sample struct {
	taxpayer   string
	year, half int
	kind       envelope.Kind
	income     int
}

func sampleOf(taxpayers []string, i int) sample {
	regular := len(samplePeriods) * len(taxpayers)
	if i < regular {
		p := samplePeriods[i/len(taxpayers)]
		return sample{taxpayers[i%len(taxpayers)], p.year, p.half, envelope.KindRegular, 1_000_000 + i*1000}
	}
	j := i - regular
	p := samplePeriods[j/len(taxpayers)%len(samplePeriods)]
	return sample{taxpayers[j%len(taxpayers)], p.year, p.half, envelope.KindAdditional, 2_000_000 + j*10}
}

// SampleFormName names the file of the i-th of n sample forms so that the
// files sort in order and say what they hold:
// 0001-910.00-820909361064-2023-1.xml, "-additional" before .xml for an
// additional filing.
func SampleFormName(taxpayers []string, i, n int) string {
	s := sampleOf(taxpayers, i)
	width := max(4, len(strconv.Itoa(n)))
	name := fmt.Sprintf("%0*d-910.00-%s-%d-%d", width, i+1, s.taxpayer, s.year, s.half)
	if s.kind == envelope.KindAdditional {
		name += "-additional"
	}
	return name + ".xml"
}

func sampleSheets(taxpayer string, year, half int, kind envelope.Kind, income int) []envelope.Sheet {
	y, h := strconv.Itoa(year), strconv.Itoa(half)
	tax := income * 3 / 100
	return []envelope.Sheet{
		{Name: "page_910_00_01", Fields: []envelope.FieldValue{
			{Name: "iin", Value: taxpayer},
			{Name: "period_year", Value: y},
			{Name: "period_half_year", Value: h},
			{Name: string(kind), Value: "1"},
			{Name: "currency_code", Value: "398"},
			{Name: "payer_name1", Value: "ТЕСТОВ"},
			{Name: "field_910_00_001", Value: strconv.Itoa(income)},
			{Name: "field_910_00_004", Value: strconv.Itoa(tax)},
			{Name: "field_910_00_005", Value: strconv.Itoa(tax / 2)},
		}},
		{Name: "page_910_00_02", Fields: []envelope.FieldValue{
			{Name: "period_year", Value: y},
			{Name: "period_half_year", Value: h},
			{Name: "field_910_00_011", Value: fmt.Sprint(tax / 2)},
		}},
		{Name: "page_910_00_04", Fields: []envelope.FieldValue{
			{Name: "period_year", Value: y},
			{Name: "period_half_year", Value: h},
			{Name: "head_name", Value: "ТЕСТОВ"},
			{Name: "submit_date", Value: fmt.Sprintf("10.02.%d", year+1)},
		}},
	}
}
