package client

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
)

// BatchForm is one form of a batch: Name (a file name, say) comes back
// with its answer.
type BatchForm struct {
	Name string
	Data []byte
}

// BatchAnswer is the answer for one form of a batch: the submission, or
// Err (an *APIError matching ErrRefused, ErrTooLarge, ErrForbidden, or
// ErrUnavailable when the same form may be sent again).
type BatchAnswer struct {
	Name       string
	Submission Submission
	Err        error
}

// batchAnswer is one element of the JSON answer of POST /v1/batches.
type batchAnswer struct {
	Status int    `json:"status"`
	Name   string `json:"name"`
	Submission
	Error  string `json:"error"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// SubmitBatch submits forms in one request and returns one answer per
// form, in order, once salyq has stored each (or refused it). The error
// is the request's: the whole batch was refused or not answered, and
// ErrUnavailable may be retried with the same forms.
func (c *Client) SubmitBatch(ctx context.Context, forms []BatchForm) ([]BatchAnswer, error) {
	// Built in memory: salyq needs the Content-Length before it stores a
	// form of the batch.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i, f := range forms {
		name := f.Name
		if name == "" {
			name = fmt.Sprintf("form-%d.xml", i+1)
		}
		w, err := mw.CreatePart(partHeader(name))
		if err != nil {
			return nil, fmt.Errorf("salyq client: %w", err)
		}
		w.Write(f.Data)
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("salyq client: %w", err)
	}
	var raw []batchAnswer
	if err := c.send(ctx, http.MethodPost, "/v1/batches", body.Bytes(), mw.FormDataContentType(), &raw); err != nil {
		return nil, err
	}
	out := make([]BatchAnswer, len(raw))
	for i, a := range raw {
		out[i] = BatchAnswer{Name: a.Name}
		if a.Status >= 200 && a.Status < 300 {
			out[i].Submission = a.Submission
			continue
		}
		out[i].Err = &APIError{StatusCode: a.Status, Message: a.Error, Field: a.Field, Reason: a.Reason}
	}
	return out, nil
}

func partHeader(name string) map[string][]string {
	return map[string][]string{
		"Content-Disposition": {mimeDisposition(name)},
		"Content-Type":        {"application/xml"},
	}
}

// mimeDisposition is a form-data part named form carrying the file name,
// quoted as mime/multipart quotes.
func mimeDisposition(name string) string {
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `form-data; name="form"; filename="` + esc.Replace(name) + `"`
}
