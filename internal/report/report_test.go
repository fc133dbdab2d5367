package report_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/labels"
	"github.com/salyq/salyq/internal/report"
	"github.com/salyq/salyq/pkg/statusfsm"
	"github.com/xuri/excelize/v2"
)

// views is a batch of three forms: accepted with a registration
// number, refused by SONO, dead-lettered; and a form of another batch.
func views() []board.View {
	at := time.Date(2026, 3, 10, 5, 15, 0, 0, time.UTC)
	return []board.View{
		{ID: "id2", Taxpayer: "900101300025", Name: "ТЕСТОВ Б", Form: "910.00", Period: "2025-H1", Kind: "dt_regular",
			Status: "Не принята", Terminal: true, Outcome: "rejected", Reason: "Ошибка ФЛК, строка 910.00.001", Batch: "b1", BatchName: "q1.zip",
			Submitted: at, Filed: at.Add(time.Second), Updated: at.Add(time.Minute),
			Notices: []board.Notice{{Number: "6205-0000001", Type: "refusal", At: at.Add(time.Minute), Text: "Отказ в приёме: строка 910.00.001"}}},
		{ID: "id1", Taxpayer: "900101300017", Name: "ТЕСТОВ А", Form: "910.00", Period: "2025-H1", Kind: "dt_regular",
			Status: "Принята", Terminal: true, Outcome: "accepted", Batch: "b1", BatchName: "q1.zip", Registration: "6205-2026-0001",
			Submitted: at, Filed: at.Add(2 * time.Second), Updated: at.Add(time.Minute),
			Notices: []board.Notice{
				{Number: "6205-0000002", Type: "acceptance", At: at.Add(time.Minute), Text: "Принята"},
				{Number: "6205-0000003", Type: "violations found by desk audit", At: at.Add(30 * 24 * time.Hour), Text: "Выявлены нарушения, строка 910.00.012"},
			}},
		{ID: "id3", Taxpayer: "900101300033", Form: "910.00", Period: "2025-H1", Kind: "dt_additional",
			Status: statusfsm.StateFailedDelivery, Terminal: true, Reason: `DUPLICATE: "already", filed`, Batch: "b1",
			Submitted: at.Add(-time.Second), Updated: at.Add(time.Minute)},
		{ID: "id9", Taxpayer: "900101300017", Status: statusfsm.StateQueued, Batch: "b2", Submitted: at.Add(time.Hour), Updated: at.Add(time.Hour)},
	}
}

// want is the forms table the report of b1 must hold, written out by
// hand from views: sorted by taxpayer, times in Astana time.
var want = [][]string{
	{"900101300017", "ТЕСТОВ А", "910.00", "2025-H1", "dt_regular", "2026-03-10 10:15:00", "2026-03-10 10:15:02", "6205-2026-0001", "Принята", labels.Of("Принята").KK, "да", "",
		"6205-0000002 (2026-03-10 10:16:00): Принята\n6205-0000003 (2026-04-09 10:15:00): Выявлены нарушения, строка 910.00.012", "id1"},
	{"900101300025", "ТЕСТОВ Б", "910.00", "2025-H1", "dt_regular", "2026-03-10 10:15:00", "2026-03-10 10:15:01", "", "Не принята", labels.Of("Не принята").KK, "да", "Ошибка ФЛК, строка 910.00.001",
		"6205-0000001 (2026-03-10 10:16:00): Отказ в приёме: строка 910.00.001", "id2"},
	{"900101300033", "", "910.00", "2025-H1", "dt_additional", "2026-03-10 10:14:59", "", "", "Не доставлена", "Жеткізілмеді", "да", `DUPLICATE: "already", filed`, "", "id3"},
}

func build(t *testing.T) report.Report {
	t.Helper()
	var b1 []board.View
	for _, v := range views() {
		if v.Batch == "b1" {
			b1 = append(b1, v)
		}
	}
	r, err := report.Build("b1", b1, statusfsm.DefaultTable(), time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSummaries(t *testing.T) {
	sums := report.Summaries(views(), statusfsm.DefaultTable())
	if len(sums) != 2 || sums[0].ID != "b2" || sums[1].ID != "b1" {
		t.Fatalf("summaries: %+v", sums)
	}
	b1 := sums[1]
	if b1.Forms != 3 || b1.Final != 3 || b1.InFlight != 0 || b1.Dead != 1 || b1.Name != "q1.zip" || b1.Percent() != 100 {
		t.Errorf("b1: %+v", b1)
	}
	if !b1.Created.Equal(time.Date(2026, 3, 10, 5, 14, 59, 0, time.UTC)) {
		t.Errorf("b1 created %s, want its first form's submission", b1.Created)
	}
	if sums[0].InFlight != 1 || sums[0].Percent() != 0 {
		t.Errorf("b2: %+v", sums[0])
	}
	if _, err := report.Build("b3", nil, statusfsm.DefaultTable(), time.Now()); err == nil {
		t.Error("a report of no forms")
	}
}

// TestCSV: read back with encoding/csv (after the BOM), the CSV is the
// header and every form, every column.
func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, build(t)); err != nil {
		t.Fatal(err)
	}
	body, ok := strings.CutPrefix(buf.String(), "\ufeff")
	if !ok {
		t.Fatal("no byte order mark")
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(want)+1 || recs[0][0] != "ИИН/БИН (IIN/BIN)" {
		t.Fatalf("CSV rows: %q", recs)
	}
	same(t, "CSV", recs[1:], want)
}

// TestXLSX: read back with excelize, the forms sheet is the header and
// every form, the totals sheet counts per status.
func TestXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteXLSX(&buf, build(t)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(report.SheetForms)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want)+1 || len(rows[0]) != len(report.Columns) {
		t.Fatalf("forms sheet: %q", rows)
	}
	// GetRows drops trailing empty cells.
	for i := range rows {
		for len(rows[i]) < len(report.Columns) {
			rows[i] = append(rows[i], "")
		}
	}
	same(t, "XLSX", rows[1:], want)
	totals, err := f.GetRows(report.SheetTotals)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range totals {
		if len(r) == 4 {
			got[r[0]] = r[3]
		}
	}
	for status, n := range map[string]string{"Принята": "1", "Не принята": "1", "Не доставлена": "1", "Всего (Total)": "3"} {
		if got[status] != n {
			t.Errorf("totals of %s: %q, want %s (sheet %q)", status, got[status], n, totals)
		}
	}
	if w, err := f.GetColWidth(report.SheetForms, "L"); err != nil || w < 20 {
		t.Errorf("the reason column is %v wide (%v)", w, err)
	}
}

// TestHTML: the page holds every form and the totals, the reason
// escaped.
func TestHTML(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, build(t)); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, s := range []string{"6205-2026-0001", "ТЕСТОВ Б", `DUPLICATE: &#34;already&#34;, filed`, `id="total">3<`, "Қабылданбады"} {
		if !strings.Contains(page, s) {
			t.Errorf("the HTML report lacks %q", s)
		}
	}
}

func same(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("%s row %d, %s: %q, want %q", what, i+1, report.Columns[j].Header, got[i][j], want[i][j])
			}
		}
	}
}
