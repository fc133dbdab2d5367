package intake_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/intake"
)

// TestBatchHeaders: POST /v1/batches makes a batch, answered in
// Salyq-Batch and in every stored form's answer, and writes it with its
// name, the payer's name and the submission time on each queued view;
// POST /v1/forms joins the batch named in Salyq-Batch, or none; a form
// submitted again in another batch stays in its first; a malformed batch
// id is refused before anything is read.
func TestBatchHeaders(t *testing.T) {
	r := newRig(t)
	hs := httptest.NewServer(r.in.Handler())
	t.Cleanup(hs.Close)
	f := incomes(t, 4)
	post := func(path, contentType string, body []byte, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, hs.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp, b.Bytes()
	}

	before := time.Now()
	body, ct := multipartBody(t, f[0], f[1])
	resp, data := post("/v1/batches", ct, body, map[string]string{intake.HeaderBatchName: "квартал 1.zip"})
	batch := resp.Header.Get(intake.HeaderBatch)
	if resp.StatusCode != http.StatusOK || !regexp.MustCompile(`^b\d{8}-\d{6}-[0-9a-f]{8}$`).MatchString(batch) {
		t.Fatalf("POST /v1/batches: %d, batch %q\n%s", resp.StatusCode, batch, data)
	}
	var answers []intake.BatchAnswer
	if err := json.Unmarshal(data, &answers); err != nil || len(answers) != 2 {
		t.Fatalf("answers: %v %s", err, data)
	}
	for _, a := range answers {
		if a.Result == nil || a.Batch != batch {
			t.Fatalf("answer %+v, want batch %s", a, batch)
		}
		v, err := r.board.Get(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Batch != batch || v.BatchName != "квартал 1.zip" || v.Name != "ТЕСТОВ" || v.Submitted.Before(before.Add(-time.Second)) {
			t.Errorf("view of %s: batch %q %q, name %q, submitted %s", a.ID, v.Batch, v.BatchName, v.Name, v.Submitted)
		}
	}

	// One form in a batch the client named, one without.
	resp, data = post("/v1/forms", "application/xml", f[2], map[string]string{intake.HeaderBatch: "erp-run-7"})
	var res intake.Result
	if json.Unmarshal(data, &res); resp.StatusCode != http.StatusAccepted || res.Batch != "erp-run-7" {
		t.Fatalf("POST /v1/forms in a batch: %d %s", resp.StatusCode, data)
	}
	if v, _ := r.board.Get(ctx, res.ID); v.Batch != "erp-run-7" || v.BatchName != "" {
		t.Errorf("view: batch %q %q", v.Batch, v.BatchName)
	}
	resp, data = post("/v1/forms", "application/xml", f[3], map[string]string{intake.HeaderBatchName: "a name alone"})
	res = intake.Result{}
	if json.Unmarshal(data, &res); resp.StatusCode != http.StatusAccepted || res.Batch != "" {
		t.Fatalf("POST /v1/forms without a batch: %d %s", resp.StatusCode, data)
	}
	if v, _ := r.board.Get(ctx, res.ID); v.Batch != "" || v.BatchName != "" {
		t.Errorf("a form without a batch is in %q %q", v.Batch, v.BatchName)
	}

	// The first form again, in another batch: a duplicate, in its first.
	resp, data = post("/v1/forms", "application/xml", f[0], map[string]string{intake.HeaderBatch: "erp-run-8"})
	res = intake.Result{}
	if json.Unmarshal(data, &res); !res.Duplicate || res.Batch != "" {
		t.Errorf("the form again: %d %s", resp.StatusCode, data)
	}
	if v, _ := r.board.Get(ctx, answers[0].ID); v.Batch != batch {
		t.Errorf("a duplicate moved the form to batch %q", v.Batch)
	}

	for _, bad := range []string{"a*b", "a.b", string(bytes.Repeat([]byte("x"), 65))} {
		resp, data = post("/v1/forms", "application/xml", f[0], map[string]string{intake.HeaderBatch: bad})
		var ref intake.Refusal
		if json.Unmarshal(data, &ref); resp.StatusCode != http.StatusBadRequest || ref.Field != intake.HeaderBatch {
			t.Errorf("batch id %q: %d %s", bad, resp.StatusCode, data)
		}
	}
	resp, _ = post("/v1/batches", ct, body, map[string]string{intake.HeaderBatchName: "tab\there"})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a batch name with a control character: %d", resp.StatusCode)
	}
}
