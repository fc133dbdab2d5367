package intake

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
)

// DefaultMaxBatchForms is the most forms one API batch carries unless
// configured: a quarter's filings of a large accounting firm in a few
// requests, answered within the server's write timeout.
const DefaultMaxBatchForms = 10_000

// DefaultMaxBatchSize is the largest API batch body unless configured:
// 10,000 forms of about 50 KB. The body is read as it is processed, never
// held whole.
const DefaultMaxBatchSize = 512 << 20

// BatchAnswer is the answer for one part of a batch: Status is what
// POST /v1/forms would have answered for it alone (202, 403, 413, 422,
// 503), with the accepted submission or the refusal.
type BatchAnswer struct {
	Status int    `json:"status"`
	Name   string `json:"name,omitempty"`
	*Result
	*Refusal
}

func (in *Intake) maxBatch() (forms int, size int64) {
	forms, size = in.cfg.MaxBatchForms, in.cfg.MaxBatchSize
	if forms <= 0 {
		forms = DefaultMaxBatchForms
	}
	if size <= 0 {
		size = DefaultMaxBatchSize
	}
	return forms, size
}

// postBatch answers POST /v1/batches: a multipart/form-data body with one
// form per part. Every part is answered, in order, as POST /v1/forms
// would answer it alone, once JetStream stored it or with its refusal; a
// part refused does not hold up the others. The whole batch is refused
// (nothing stored) only when it cannot be read as a batch: no length
// (411), larger than the maximum batch size (413), not multipart or
// without a part (400).
func (in *Intake) postBatch(w http.ResponseWriter, r *http.Request) {
	maxForms, maxSize := in.maxBatch()
	if r.ContentLength < 0 {
		// Its size is checked before anything is stored: a batch cut off
		// at the maximum size half-way would leave its end unanswered.
		writeJSON(w, http.StatusLengthRequired, Refusal{Error: "a batch needs a Content-Length", Field: "body"})
		return
	}
	if r.ContentLength > maxSize {
		writeJSON(w, http.StatusRequestEntityTooLarge, Refusal{Error: "batch too large", Field: "size",
			Reason: fmt.Sprintf("%d bytes, the maximum batch size is %d", r.ContentLength, maxSize)})
		return
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		writeJSON(w, http.StatusBadRequest, Refusal{Error: "a batch is multipart/form-data, one form per part", Field: "Content-Type"})
		return
	}
	batch, ref := in.batchOf(r, true)
	if ref != nil {
		writeJSON(w, http.StatusBadRequest, ref)
		return
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, maxSize), params["boundary"])
	var bodyErr error
	n := 0
	items := func(yield func(Item) bool) {
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				bodyErr = err
				return
			}
			n++
			it := Item{Name: part.FileName(), Batch: batch}
			if it.Name == "" {
				it.Name = part.FormName()
			}
			if n > maxForms {
				// The forms before it are stored already: one last answer
				// says where the batch was cut, and the rest is not read
				// (nor answered, which would let tiny parts make a huge
				// answer).
				it.Err = &BatchLimitError{Max: maxForms}
				yield(it)
				return
			}
			it.Data, it.Err = in.readForm(part)
			if it.Err != nil {
				in.observe(Result{}, it.Err)
			}
			part.Close()
			if !yield(it) {
				return
			}
		}
	}
	var answers []BatchAnswer
	in.SubmitBatch(r.Context(), items, func(ir ItemResult) {
		code, body := answerOf(ir.Result, ir.Err)
		a := BatchAnswer{Status: code, Name: ir.Name}
		switch b := body.(type) {
		case Result:
			a.Result = &b
		case Refusal:
			a.Refusal = &b
		}
		if errors.Is(ir.Err, ErrBatchLimit) {
			a.Status, a.Refusal = http.StatusRequestEntityTooLarge, &Refusal{Error: ir.Err.Error(), Field: "batch"}
		}
		answers = append(answers, a)
	})
	if bodyErr != nil {
		if len(answers) == 0 {
			writeReadError(w, bodyErr)
			return
		}
		// The parts read are answered (some are stored); the rest of the
		// body could not be read, which its last answer says.
		a := BatchAnswer{Status: http.StatusBadRequest, Refusal: &Refusal{Error: "could not read the rest of the batch", Field: "body", Reason: bodyErr.Error()}}
		var mb *http.MaxBytesError
		if errors.As(bodyErr, &mb) {
			a.Status = http.StatusRequestEntityTooLarge
		}
		answers = append(answers, a)
	}
	if len(answers) == 0 {
		writeJSON(w, http.StatusBadRequest, Refusal{Error: "a batch without a form", Field: "body"})
		return
	}
	w.Header().Set(HeaderBatch, batch.ID)
	writeJSON(w, http.StatusOK, answers)
}
