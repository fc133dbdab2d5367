package intake_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/auth"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/client"
)

// multipartBody is forms as a multipart/form-data body, one part each.
func multipartBody(t *testing.T, forms ...[]byte) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range forms {
		w, err := mw.CreateFormFile("form", "f.xml")
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f)
	}
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// TestHTTPBatch: POST /v1/batches answers each part in order as POST
// /v1/forms would (202, 422 with the field, 413 for a part over the form
// size, duplicate for the same form twice), through pkg/client.
func TestHTTPBatch(t *testing.T) {
	r := newRig(t)
	hs := httptest.NewServer(r.in.Handler())
	t.Cleanup(hs.Close)
	c, err := client.New(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	f := incomes(t, 2)
	big := bytes.Repeat([]byte(" "), intake.DefaultMaxFormSize+1)
	answers, err := c.SubmitBatch(ctx, []client.BatchForm{
		{Name: "a.xml", Data: f[0]}, {Name: "bad.xml", Data: []byte("<fno code=")}, {Name: "big.xml", Data: big},
		{Name: "b.xml", Data: f[1]}, {Name: "a-again.xml", Data: f[0]},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != 5 {
		t.Fatalf("%d answers for 5 forms: %+v", len(answers), answers)
	}
	for i, name := range []string{"a.xml", "bad.xml", "big.xml", "b.xml", "a-again.xml"} {
		if answers[i].Name != name {
			t.Errorf("answer %d is for %q, want %q", i, answers[i].Name, name)
		}
	}
	if answers[0].Err != nil || answers[0].Submission.ID == "" || answers[0].Submission.Duplicate || answers[3].Err != nil {
		t.Errorf("good forms: %+v, %+v", answers[0], answers[3])
	}
	var ae *client.APIError
	if err := answers[1].Err; !errors.Is(err, client.ErrRefused) || !errors.As(err, &ae) || ae.Field != "document" {
		t.Errorf("bad form: %v", err)
	}
	if err := answers[2].Err; !errors.Is(err, client.ErrTooLarge) || !errors.As(err, &ae) || ae.Field != "size" {
		t.Errorf("large form: %v", err)
	}
	if a := answers[4]; a.Err != nil || !a.Submission.Duplicate || a.Submission.ID != answers[0].Submission.ID {
		t.Errorf("same form again: %+v", a)
	}
	if n := r.queued(t); n != 2 {
		t.Errorf("%d stored, want 2", n)
	}
}

// TestHTTPBatchLimits: a batch that cannot be read as one is refused as a
// whole with nothing stored — not multipart (400), without a form (400),
// without a Content-Length (411), over the maximum batch size (413) — and
// the parts past the maximum number of forms are answered 413 (field
// batch, one answer for the rest) while those before are stored.
func TestHTTPBatchLimits(t *testing.T) {
	js, set := testkit.JetStream(t)
	r := newRigOn(t, js, set, func(c *intake.Config) { c.MaxBatchForms, c.MaxBatchSize = 2, 200_000 })
	hs := httptest.NewServer(r.in.Handler())
	t.Cleanup(hs.Close)
	f := incomes(t, 3)
	post := func(body io.Reader, length int64, contentType string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, hs.URL+"/v1/batches", body)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = length
		req.Header.Set("Content-Type", contentType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, data
	}
	body, ct := multipartBody(t, f[0])
	empty, emptyCT := multipartBody(t)
	huge, hugeCT := multipartBody(t, bytes.Repeat([]byte(" "), 200_001))
	for _, c := range []struct {
		name   string
		body   []byte
		length int64
		ct     string
		code   int
	}{
		{"not multipart", f[0], int64(len(f[0])), "application/xml", http.StatusBadRequest},
		{"no form", empty, int64(len(empty)), emptyCT, http.StatusBadRequest},
		{"no Content-Length", body, -1, ct, http.StatusLengthRequired},
		{"over the batch size", huge, int64(len(huge)), hugeCT, http.StatusRequestEntityTooLarge},
	} {
		var rd io.Reader = bytes.NewReader(c.body)
		if c.length < 0 {
			rd = io.MultiReader(rd) // hides the length: sent chunked
		}
		code, data := post(rd, c.length, c.ct)
		var ref intake.Refusal
		if code != c.code || json.Unmarshal(data, &ref) != nil || ref.Error == "" {
			t.Errorf("%s: %d %s, want %d with an error", c.name, code, data, c.code)
		}
	}
	if n := r.queued(t); n != 0 {
		t.Fatalf("%d stored by refused batches", n)
	}

	three, threeCT := multipartBody(t, append(f, f[0])...)
	code, data := post(bytes.NewReader(three), int64(len(three)), threeCT)
	var answers []intake.BatchAnswer
	if code != http.StatusOK || json.Unmarshal(data, &answers) != nil || len(answers) != 3 {
		t.Fatalf("four forms, two allowed: %d %s, want three answers", code, data)
	}
	if answers[0].Status != http.StatusAccepted || answers[1].Status != http.StatusAccepted {
		t.Errorf("forms within the limit: %s", data)
	}
	if a := answers[2]; a.Status != http.StatusRequestEntityTooLarge || a.Refusal == nil || a.Field != "batch" || !strings.Contains(a.Error, "2 forms") {
		t.Errorf("form past the limit: %s", data)
	}
	if n := r.queued(t); n != 2 {
		t.Errorf("%d stored, want 2", n)
	}
}

// TestHTTPBatchScope: in a batch each form is held to the client's scope
// on its own: a form of a taxpayer outside it is answered 403 and not
// stored, while the forms of the batch inside it go on (here to the
// keystore, which has no key for them).
func TestHTTPBatchScope(t *testing.T) {
	r := newRig(t)
	tokensFile := filepath.Join(t.TempDir(), "tokens.json")
	otherIIN := mustKeys(t).other.Identity().IIN
	token, err := auth.Add(tokensFile, "erp-other", otherIIN, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.OpenTokens(tokensFile)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(tokens.Middleware(r.in.Handler()))
	t.Cleanup(hs.Close)
	c, err := client.New(hs.URL, client.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	others := good(t)
	others.taxpayer = otherIIN
	answers, err := c.SubmitBatch(ctx, []client.BatchForm{{Data: good(t).build()}, {Data: others.build()}})
	if err != nil || len(answers) != 2 {
		t.Fatalf("batch: %+v %v", answers, err)
	}
	var ae *client.APIError
	if err := answers[0].Err; !errors.Is(err, client.ErrForbidden) || !errors.As(err, &ae) || ae.Field != "taxpayer" {
		t.Errorf("form outside the scope: %v", err)
	}
	if err := answers[1].Err; !errors.Is(err, client.ErrRefused) || !errors.As(err, &ae) || ae.Field != "iin" {
		t.Errorf("form inside the scope, without a key: %v", err)
	}
	if n := r.queued(t); n != 0 {
		t.Errorf("%d stored", n)
	}
}
