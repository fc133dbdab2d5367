package report

import (
	"fmt"
	"io"
	"strings"
)

// Formats are the report formats.
var Formats = []string{"csv", "xlsx", "html"}

// ContentType is the media type of a report in format.
func ContentType(format string) string {
	switch format {
	case "csv":
		return "text/csv; charset=utf-8"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "html":
		return "text/html; charset=utf-8"
	}
	return "application/octet-stream"
}

// FileName is the report's file name: salyq-batch-ID.format.
func FileName(batch, format string) string {
	return "salyq-batch-" + batch + "." + format
}

// CheckFormat refuses a format other than csv, xlsx and html.
func CheckFormat(format string) error {
	for _, f := range Formats {
		if f == format {
			return nil
		}
	}
	return fmt.Errorf("%w %q: want %s", ErrFormat, format, strings.Join(Formats, ", "))
}

// Write writes r to w in format.
func Write(w io.Writer, format string, r Report) error {
	switch format {
	case "csv":
		return WriteCSV(w, r)
	case "xlsx":
		return WriteXLSX(w, r)
	case "html":
		return WriteHTML(w, r)
	}
	return CheckFormat(format)
}
