package test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/labels"
	batchreport "github.com/salyq/salyq/internal/report"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/xuri/excelize/v2"
)

// TestBatchReports submits a batch with `salyq submit --batch-name` to
// a running `salyq run` with the sandbox, watches it on the dashboard's
// batches page and batch page in headless Chromium progress to the end
// without reloading, and reads its reports back: the CSV (encoding/csv) and the XLSX
// (excelize) of `salyq report batch` hold every form of the batch with
// every column as the board has it (read through the API), SONO's
// registration numbers and filing times included; the HTML report,
// opened from the batch page in headless Chromium, lists the forms and
// the totals. Screenshots of the batches page, the batch page and the
// report go to the test's artifact directory.
func TestBatchReports(t *testing.T) {
	if testing.Short() {
		t.Skip("starts salyq run and a browser")
	}
	chrome := testenv.Tool(t, "chromium", testenv.PkgChromium)
	dir := t.TempDir()
	data, formsDir, tokens, tokenFile := filepath.Join(dir, "data"), filepath.Join(dir, "forms"), filepath.Join(dir, "tokens.json"), filepath.Join(dir, "token")
	out, err := runSalyq(t, "tokens", "add", "accountant", "--taxpayers", "all", "--api-tokens", tokens)
	if err != nil {
		t.Fatalf("tokens add: %v\n%s", err, out)
	}
	token := strings.Fields(out)[0]
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	const forms = 6
	if out, err := runSalyq(t, "forms", "sample", "--data", data, fmt.Sprint(forms), formsDir); err != nil {
		t.Fatalf("forms sample: %v\n%s", err, out)
	}
	// Under this seed SONO refuses the first filing: a reason to report.
	base := startSalyqRun(t, data, "--api-tokens", tokens, "--sandbox-seed", dashboardSeed, "--sandbox-step", "300ms")

	out, err = runSalyq(t, "submit", "--data", data, "--token-file", tokenFile, "--batch-name", "квартал 1.zip", formsDir)
	if err != nil {
		t.Fatalf("submit: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^batch +(\S+) квартал 1\.zip$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("submit did not print its batch:\n%s", out)
	}
	batch := m[1]
	ids := regexp.MustCompile(`(?m)^queued +(\S+) `).FindAllStringSubmatch(out, -1)
	if len(ids) != forms {
		t.Fatalf("submit queued %d forms, want %d:\n%s", len(ids), forms, out)
	}
	// The dashboard: the batches page, the batch, its HTML report.
	b := newBrowser(t, chrome, 2*time.Minute, t.ArtifactDir())
	t.Logf("screenshots in %s", b.dir)
	if err := chromedp.Do(b.ctx, chromedp.Navigate(base+"/ui/login")); err != nil {
		t.Fatalf("browser: %v", err)
	}
	b.run(chromedp.WaitVisible(chromedp.CSS("#token")), chromedp.SetValue(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS("#login-button")), chromedp.WaitVisible(chromedp.CSS("#counts")))
	b.run(chromedp.Click(chromedp.CSS("#nav-batches")), chromedp.WaitVisible(chromedp.CSS("#batches")))
	if row := b.text(`tr[data-batch="` + batch + `"]`); !strings.Contains(row, "квартал 1.zip") {
		t.Errorf("the batches page's row: %q", row)
	}
	b.shot("batches")
	b.run(chromedp.Click(chromedp.CSS(`a[href="/ui/batches/`+batch+`"]`)), chromedp.WaitVisible(chromedp.CSS("#report-html")))
	b.waitJS(`document.getElementById("live") && !document.getElementById("live").hidden`, 10*time.Second, "the live updates to connect")
	b.setMark("batch")
	b.waitJS(fmt.Sprintf(`document.getElementById("total").textContent.trim() === "%d" && document.getElementById("inflight").textContent.trim() === "0"`, forms),
		time.Minute, "the batch page to count every form final")
	b.mark("batch")
	b.shot("batch")

	views := map[string]board.View{}
	for _, id := range ids {
		v := apiView(t, base, token, id[1])
		if !v.Terminal || v.Batch != batch || v.BatchName != "квартал 1.zip" {
			t.Fatalf("form %s once the batch page showed it final: %+v", id[1], v)
		}
		views[v.ID] = v
	}
	if out, err := runSalyq(t, "status", "--data", data, "--batch", batch); err != nil || strings.Count(out, "\n") != forms+1 {
		t.Errorf("status --batch: %v\n%s", err, out)
	}

	// The CSV and the XLSX, read back: every form, every column.
	csvFile, xlsxFile := filepath.Join(dir, "q1.csv"), filepath.Join(dir, "q1.xlsx")
	for file, format := range map[string]string{csvFile: "csv", xlsxFile: "xlsx"} {
		if out, err := runSalyq(t, "report", "batch", batch, "--data", data, "--format", format, "--out", file); err != nil {
			t.Fatalf("report batch --format %s: %v\n%s", format, err, out)
		}
	}
	raw, err := os.ReadFile(csvFile)
	if err != nil {
		t.Fatal(err)
	}
	body, ok := strings.CutPrefix(string(raw), "\ufeff")
	if !ok {
		t.Error("the CSV report has no byte order mark")
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	matchBoard(t, "CSV", recs, views)
	x, err := excelize.OpenFile(xlsxFile)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(batchreport.SheetForms)
	if err != nil {
		t.Fatal(err)
	}
	matchBoard(t, "XLSX", rows, views)
	totals, err := x.GetRows(batchreport.SheetTotals)
	if err != nil {
		t.Fatal(err)
	}
	if last := totals[len(totals)-1]; len(last) != 4 || last[3] != fmt.Sprint(forms) {
		t.Errorf("the XLSX total: %q", last)
	}
	if out, err := runSalyq(t, "report", "batch", batch, "--data", data, "--format", "pdf"); app.ExitCode(err) != app.ExitUsage {
		t.Errorf("report --format pdf: %v\n%s", err, out)
	}

	// The HTML report, from the batch page.
	b.run(chromedp.Navigate(base+"/ui/batches/"+batch+"/report.html"), chromedp.WaitVisible(chromedp.CSS("#totals")))
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#rows tbody tr").length`))
	if err != nil || n != forms {
		t.Errorf("the HTML report lists %d forms (%v), want %d", n, err, forms)
	}
	if got := strings.TrimSpace(b.text("#total")); got != fmt.Sprint(forms) {
		t.Errorf("the HTML report's total: %q", got)
	}
	page := b.text("#rows")
	for _, v := range views {
		if !strings.Contains(page, v.Taxpayer) || !strings.Contains(page, labels.Of(v.Status).KK) || (v.Registration != "" && !strings.Contains(page, v.Registration)) {
			t.Errorf("the HTML report lacks form %s (%s, %s, %q)", v.ID, v.Taxpayer, v.Status, v.Registration)
		}
	}
	b.shot("report")
}

// apiView is the board's view of id, read through the API.
func apiView(t *testing.T, base, token, id string) board.View {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/forms/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v board.View
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/forms/%s: %d %v", id, resp.StatusCode, err)
	}
	return v
}

// matchBoard checks a report's forms table (header first) against the
// board's views, each cell worked out here from the view: one row per
// form, every column.
func matchBoard(t *testing.T, what string, rows [][]string, views map[string]board.View) {
	t.Helper()
	if len(rows) != len(views)+1 {
		t.Fatalf("%s: %d rows, want a header and %d forms", what, len(rows), len(views))
	}
	astana := func(at time.Time) string {
		if at.IsZero() {
			return ""
		}
		return at.In(envelope.Almaty()).Format("2006-01-02 15:04:05")
	}
	registered, noticed := 0, 0
	seen := map[string]bool{}
	for _, row := range rows[1:] {
		for len(row) < len(batchreport.Columns) {
			row = append(row, "") // excelize drops trailing empty cells
		}
		v, ok := views[row[len(row)-1]]
		if !ok || seen[v.ID] {
			t.Errorf("%s: a row of no form of the batch, or a form again: %q", what, row)
			continue
		}
		seen[v.ID] = true
		final := "нет"
		if v.Terminal {
			final = "да"
		}
		l := labels.Of(v.Status)
		var notices []string
		for _, n := range v.Notices {
			notices = append(notices, n.Number+" ("+astana(n.At)+"): "+n.Text)
		}
		want := []string{v.Taxpayer, v.Name, v.Form, v.Period, v.Kind, astana(v.Submitted), astana(v.Filed), v.Registration, l.RU, l.KK, final, v.Reason,
			strings.Join(notices, "\n"), v.ID}
		for i := range want {
			if row[i] != want[i] {
				t.Errorf("%s: form %s, %s: %q, want %q", what, v.ID, batchreport.Columns[i].Header, row[i], want[i])
			}
		}
		if v.Name == "" || v.Submitted.IsZero() || v.Filed.IsZero() {
			t.Errorf("%s: form %s lacks its name, submission or filing time: %+v", what, v.ID, v)
		}
		if v.Registration != "" {
			registered++
		}
		if len(notices) > 0 {
			noticed++
		}
	}
	if registered == 0 {
		t.Errorf("%s: no form has SONO's registration number", what)
	}
	if noticed == 0 {
		t.Errorf("%s: no form has a notice: the notices column went untested", what)
	}
}
