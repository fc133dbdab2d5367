package report

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Sheet names of the XLSX report.
const (
	SheetForms  = "Forms"
	SheetTotals = "Totals"
)

// WriteXLSX writes r as an XLSX workbook: a sheet of forms (a header
// row, one row per form) and a sheet of totals per status with the
// batch's id, name and the time it was made; bold, filled, frozen
// headers and columns as wide as their text.
func WriteXLSX(w io.Writer, r Report) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetForms); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	if _, err := f.NewSheet(SheetTotals); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	head, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE6F0"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
	})
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	header := make([]string, len(Columns))
	for i, c := range Columns {
		header[i] = c.Header
	}
	rows := make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		rows[i] = make([]string, len(Columns))
		for j, c := range Columns {
			rows[i][j] = c.Value(row)
		}
	}
	if err := table(f, SheetForms, 1, header, rows, head); err != nil {
		return err
	}
	totals := make([][]string, 0, len(r.Totals)+1)
	for _, t := range r.Totals {
		totals = append(totals, totalCells(t))
	}
	totals = append(totals, []string{"Всего (Total)", "Барлығы", "", fmt.Sprint(len(r.Rows))})
	about := [][]string{
		{"Пакет (Batch)", r.Batch.ID},
		{"Название (Name)", r.Batch.Name},
		{"Сформирован (Made, UTC+5)", astana(r.Made)},
	}
	for i, a := range about {
		if err := f.SetSheetRow(SheetTotals, cell(1, i+1), &a); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
	}
	if err := table(f, SheetTotals, len(about)+2, TotalColumns, totals, head); err != nil {
		return err
	}
	if err := f.SetCellStyle(SheetTotals, "A1", cell(1, len(about)), head); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	// Counts as numbers, so that a spreadsheet sums them.
	for i, t := range r.Totals {
		f.SetCellInt(SheetTotals, cell(4, len(about)+3+i), int64(t.Count))
	}
	f.SetCellInt(SheetTotals, cell(4, len(about)+3+len(r.Totals)), int64(len(r.Rows)))
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	return nil
}

// table writes header at row top of sheet and rows below it, styles and
// freezes the header and sizes the columns to their longest text.
func table(f *excelize.File, sheet string, top int, header []string, rows [][]string, head int) error {
	widths := make([]int, len(header))
	put := func(r int, cells []string) error {
		vals := make([]any, len(cells))
		for i, c := range cells {
			vals[i] = c
			if n := utf8.RuneCountInString(c); i < len(widths) && n > widths[i] {
				widths[i] = n
			}
		}
		return f.SetSheetRow(sheet, cell(1, r), &vals)
	}
	if err := put(top, header); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	for i, row := range rows {
		if err := put(top+1+i, row); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
	}
	if err := f.SetCellStyle(sheet, cell(1, top), cell(len(header), top), head); err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	for i, wd := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		// Within Excel's bounds: a long reason wraps past 80.
		if err := f.SetColWidth(sheet, col, col, float64(min(max(wd, 8), 80)+2)); err != nil {
			return fmt.Errorf("report: xlsx: %w", err)
		}
	}
	if top == 1 {
		return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	return nil
}

// cell is the A1 name of column col, row row (both from 1).
func cell(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}
