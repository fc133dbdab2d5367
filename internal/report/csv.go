package report

import (
	"encoding/csv"
	"io"
)

// bom is UTF-8's byte order mark. Excel reads a CSV file without it in
// the system's ANSI code page (Windows-1251 in Kazakhstan) and turns
// every Cyrillic name into mojibake; with it, Excel, LibreOffice and
// Google Sheets read UTF-8, and encoding/csv readers need only skip it.
const bom = "\ufeff"

// WriteCSV writes r's forms as CSV (RFC 4180, comma-separated): the BOM,
// a header row, one row per form. The totals are not in it — a CSV file
// is one table, for programs; XLSX and HTML carry them.
func WriteCSV(w io.Writer, r Report) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := make([]string, len(Columns))
	for i, c := range Columns {
		header[i] = c.Header
	}
	cw.Write(header)
	for _, row := range r.Rows {
		rec := make([]string, len(Columns))
		for i, c := range Columns {
			rec[i] = c.Value(row)
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}
