package report

import (
	"embed"
	"html/template"
	"io"
)

//go:embed templates/report.html
var templates embed.FS

// page is the HTML report's template, parsed once per call: reports are
// made by hand, now and then.
func page() (*template.Template, error) {
	return template.New("report.html").Funcs(template.FuncMap{
		"astana": astana,
		"cells":  totalCells,
	}).ParseFS(templates, "templates/report.html")
}

// WriteHTML writes r as one standalone, printable HTML page (styles
// inline, nothing fetched): the batch, the forms, the totals.
func WriteHTML(w io.Writer, r Report) error {
	t, err := page()
	if err != nil {
		return err
	}
	return t.Execute(w, struct {
		Report
		Columns      []Column
		TotalColumns []string
	}{r, Columns, TotalColumns})
}
