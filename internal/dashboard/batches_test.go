package dashboard_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/report"
	"github.com/salyq/salyq/pkg/statusfsm"
	"github.com/xuri/excelize/v2"
)

// TestBatchPagesAndReports: a batch of a form of each taxpayer and a
// batch of B's alone. The operator's token sees both batches, the
// batch's forms and its reports, each download with its type and file
// name; client A's token sees only A's form in the batch, in the page
// and in every report, and B's batch not at all.
func TestBatchPagesAndReports(t *testing.T) {
	r := newRig(t, 8)
	ctx := context.Background()
	at := time.Now()
	for _, v := range []board.View{
		{ID: "batchformA000000000000000000001", Taxpayer: taxpayerA, Name: "ТЕСТОВ А", Form: "910.00", Period: "2025-H1", Kind: "dt_regular",
			Status: "Принята", Terminal: true, Registration: "6205-0001", Batch: "b-mixed", BatchName: "q1.zip", Submitted: at, Filed: at, Updated: at},
		{ID: "batchformB000000000000000000002", Taxpayer: taxpayerB, Name: "ТЕСТОВ Б", Form: "910.00", Period: "2025-H1", Kind: "dt_regular",
			Status: statusfsm.StateSent, Batch: "b-mixed", BatchName: "q1.zip", Submitted: at, Filed: at, Updated: at},
		{ID: "batchformB000000000000000000003", Taxpayer: taxpayerB, Form: "910.00", Period: "2025-H2", Kind: "dt_regular",
			Status: statusfsm.StateQueued, Batch: "b-only-b", Submitted: at, Updated: at},
	} {
		if err := r.board.Set(ctx, v, nil); err != nil {
			t.Fatal(err)
		}
	}
	ops, a := r.login(r.ops), r.login(r.a)

	code, page, _ := r.get(ops, "/ui/batches")
	if code != http.StatusOK || !strings.Contains(page, `data-batch="b-mixed"`) || !strings.Contains(page, `data-batch="b-only-b"`) || !strings.Contains(page, "q1.zip") {
		t.Fatalf("batches page: %d\n%s", code, page)
	}
	code, page, _ = r.get(ops, "/ui/batches/b-mixed")
	if code != http.StatusOK || !strings.Contains(page, "ТЕСТОВ Б") || !strings.Contains(page, `id="inflight">1<`) || !strings.Contains(page, `href="/ui/batches/b-mixed/report.xlsx"`) {
		t.Fatalf("batch page: %d\n%s", code, page)
	}
	if code, live, _ := r.get(ops, "/ui/batches/b-mixed/live"); code != http.StatusOK || !strings.Contains(live, `id="final">1<`) || strings.Contains(live, "<html") {
		t.Errorf("the batch fragment: %d\n%s", code, live)
	}

	for format, disp := range map[string]string{"csv": "attachment", "xlsx": "attachment", "html": "inline"} {
		code, body, h := r.get(ops, "/ui/batches/b-mixed/report."+format)
		if code != http.StatusOK || h.Get("Content-Type") != report.ContentType(format) {
			t.Errorf("report.%s: %d %q", format, code, h.Get("Content-Type"))
		}
		d, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
		if err != nil || d != disp || params["filename"] != "salyq-batch-b-mixed."+format {
			t.Errorf("report.%s: Content-Disposition %q", format, h.Get("Content-Disposition"))
		}
		if n := len(reportIDs(t, format, body)); n != 2 {
			t.Errorf("ops: report.%s lists %d forms, want 2", format, n)
		}
	}

	// Client A: its own form only, everywhere; B's batch is not found.
	if code, page, _ := r.get(a, "/ui/batches"); code != http.StatusOK || strings.Contains(page, "b-only-b") || !strings.Contains(page, "b-mixed") {
		t.Errorf("client A's batches: %d\n%s", code, page)
	}
	if code, page, _ := r.get(a, "/ui/batches/b-mixed"); code != http.StatusOK || strings.Contains(page, "ТЕСТОВ Б") || !strings.Contains(page, "ТЕСТОВ А") {
		t.Errorf("client A's batch page: %d\n%s", code, page)
	}
	for _, format := range report.Formats {
		_, body, _ := r.get(a, "/ui/batches/b-mixed/report."+format)
		if ids := reportIDs(t, format, body); len(ids) != 1 || ids[0] != "batchformA000000000000000000001" {
			t.Errorf("client A: report.%s lists %q, want A's form alone", format, ids)
		}
	}
	for _, path := range []string{"/ui/batches/b-only-b", "/ui/batches/b-only-b/report.csv", "/ui/batches/nope/report.html"} {
		if code, _, _ := r.get(a, path); code != http.StatusNotFound {
			t.Errorf("client A: %s answered %d, want 404", path, code)
		}
	}
	for path, want := range map[string]int{"/ui/batches/b-mixed/report.pdf": http.StatusNotFound, "/ui/batches/b*x": http.StatusBadRequest} {
		if code, _, _ := r.get(ops, path); code != want {
			t.Errorf("%s: %d, want %d", path, code, want)
		}
	}
	// Without a session: the pages go to the login page, the fragment is
	// told 401.
	if code, _, h := r.get(r.browser(), "/ui/batches/b-mixed/report.csv"); code != http.StatusSeeOther || h.Get("Location") != "/ui/login" {
		t.Errorf("a report without a session: %d %q", code, h.Get("Location"))
	}
	if code, _, _ := r.get(r.browser(), "/ui/batches/live"); code != http.StatusUnauthorized {
		t.Errorf("the batches fragment without a session: %d", code)
	}
}

// reportIDs reads the submission ids out of a report in format.
func reportIDs(t *testing.T, format, body string) []string {
	t.Helper()
	var ids []string
	switch format {
	case "csv":
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs[1:] {
			ids = append(ids, rec[len(rec)-1])
		}
	case "xlsx":
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows(report.SheetForms)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows[1:] {
			ids = append(ids, row[len(row)-1])
		}
	case "html":
		for _, part := range strings.Split(body, `data-id="`)[1:] {
			id, _, _ := strings.Cut(part, `"`)
			ids = append(ids, id)
		}
	}
	return ids
}
