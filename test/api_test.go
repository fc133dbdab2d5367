package test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/pkg/client"
)

// TestAPIContract puts every operation and every error answer of the API
// through pkg/client against the real intake, worker and poller over
// HTTP, each call validated against openapi.json: the document is served,
// probes answer, forms are submitted, followed and waited for to their
// final status, and refusals (422, 413, 404, 400) come back as the typed
// errors.
func TestAPIContract(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	h := newHarness(t, harnessOptions{taxpayers: 2})
	h.start()
	c := h.api()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	hc := &http.Client{Transport: h.validator}
	base := strings.TrimSuffix(h.validatorBase(), "/")

	resp, err := hc.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(doc, intake.OpenAPI()) {
		t.Errorf("/openapi.json: %d, %d bytes; want 200 and the document in the repository", resp.StatusCode, len(doc))
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := hc.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}

	var ids []string
	for _, f := range app.SampleForms(h.taxpayers, 6) {
		s, err := c.Submit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	seen := map[string][]string{}
	for u := range c.Follow(ctx, ids[1:]) {
		if u.Err != nil {
			t.Fatalf("follow %s: %v", u.ID, u.Err)
		}
		seen[u.ID] = append(seen[u.ID], u.Status.Status)
		if u.ID != u.Status.ID {
			t.Errorf("update of %s carries %s", u.ID, u.Status.ID)
		}
	}
	for _, id := range ids[1:] {
		if len(seen[id]) == 0 {
			t.Errorf("follow: nothing for %s", id)
			continue
		}
		st, err := c.Status(ctx, id)
		if err != nil || !st.Terminal || st.Status != seen[id][len(seen[id])-1] {
			t.Errorf("%s: followed %v, status now %+v %v", id, seen[id], st, err)
		}
	}
	st, err := c.Wait(ctx, ids[0])
	if err != nil || !st.Terminal || len(st.History) < 2 {
		t.Errorf("wait: %+v %v", st, err)
	}
	t.Logf("followed %d forms: %v", len(seen), seen)

	good := app.SampleForms(h.taxpayers, 1)[0]
	refusals := []struct {
		name string
		do   func() error
		want error
	}{
		{"refused form", func() error { _, err := c.Submit(ctx, []byte("<fno")); return err }, client.ErrRefused},
		{"too large", func() error {
			_, err := c.Submit(ctx, bytes.Repeat([]byte(" "), intake.DefaultMaxFormSize+1))
			return err
		}, client.ErrTooLarge},
		{"unknown id", func() error { _, err := c.Status(ctx, "0123456789abcdef"); return err }, client.ErrNotFound},
		{"bad id", func() error { _, err := c.Status(ctx, "a*b"); return err }, client.ErrBadRequest},
		{"wait for unknown id", func() error { _, err := c.Wait(ctx, "0123456789abcdef"); return err }, client.ErrNotFound},
	}
	for _, r := range refusals {
		err := r.do()
		var ae *client.APIError
		if !errors.Is(err, r.want) || !errors.As(err, &ae) || ae.Message == "" || ae.Temporary() {
			t.Errorf("%s: %v, want %v as an APIError with a message", r.name, err, r.want)
		}
	}
	if _, err := c.Submit(ctx, good); err != nil {
		t.Errorf("good form after the refusals: %v", err)
	}

	// A batch: every part answered as it would be alone, in order.
	fresh := app.SampleForms(h.taxpayers, 8)[7]
	answers, err := c.SubmitBatch(ctx, []client.BatchForm{{Name: "new.xml", Data: fresh}, {Name: "bad.xml", Data: []byte("<fno")}, {Name: "again.xml", Data: good}})
	if err != nil || len(answers) != 3 {
		t.Fatalf("batch: %+v %v", answers, err)
	}
	if a := answers[0]; a.Err != nil || a.Submission.ID == "" || a.Submission.Duplicate || a.Name != "new.xml" {
		t.Errorf("batch, new form: %+v", a)
	}
	if a := answers[1]; !errors.Is(a.Err, client.ErrRefused) {
		t.Errorf("batch, bad form: %+v", a)
	}
	if a := answers[2]; a.Err != nil || !a.Submission.Duplicate {
		t.Errorf("batch, filed form: %+v", a)
	}
	if a := answers[0]; a.Submission.Batch == "" || answers[2].Submission.Batch != "" {
		t.Errorf("batch ids: the new form's %q, the duplicate's %q", a.Submission.Batch, answers[2].Submission.Batch)
	}
	// A form of a batch the client names, with a name (Salyq-Batch,
	// Salyq-Batch-Name). A malformed id breaks the documented pattern,
	// which the validator refuses to send: the intake's tests cover it.
	joined := app.SampleForms(h.taxpayers, 9)[8]
	if s, err := c.SubmitIn(ctx, client.Batch{ID: "erp-run-1", Name: "квартал 1.zip"}, joined); err != nil || s.Batch != "erp-run-1" {
		t.Errorf("a form of a named batch: %+v %v", s, err)
	}

	// Batches refused whole: without a form (400), without a length (411).
	empty := "--b--\r\n"
	for _, c := range []struct {
		body   io.Reader
		length int64
		code   int
	}{{strings.NewReader(empty), int64(len(empty)), http.StatusBadRequest}, {io.MultiReader(strings.NewReader(empty)), -1, http.StatusLengthRequired}} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/batches", c.body)
		req.ContentLength = c.length
		req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.code {
			t.Errorf("batch refused whole: %d, want %d", resp.StatusCode, c.code)
		}
	}
	t.Logf("%d API calls validated against openapi.json", h.validator.calls.Load())
}
