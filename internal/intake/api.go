package intake

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/salyq/salyq/internal/auth"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/httplimit"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// Refusal is the JSON body of a refused form.
type Refusal struct {
	Error  string `json:"error"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// RefusalOf explains err by the field or check that failed.
func RefusalOf(err error) Refusal {
	r := Refusal{Error: err.Error()}
	var fe *envelope.FieldError
	var ke *envelope.KeyError
	var ce *xmldsig.CheckError
	var nk *ncakey.NoKeyError
	var kc *KeyCheckError
	var tl *TooLargeError
	switch {
	case errors.As(err, &tl):
		r.Field, r.Reason = "size", tl.reason()
	case errors.As(err, &kc):
		r.Field, r.Reason = "certificate", kc.Err.Error()
	case errors.As(err, &nk):
		r.Field, r.Reason = "iin", nk.Explain()
	case errors.As(err, &fe):
		r.Field, r.Reason = fe.Field, fe.Reason
	case errors.As(err, &ke):
		r.Field, r.Reason = ke.Check, ke.Err.Error()
	case errors.As(err, &ce):
		r.Field, r.Reason = ce.Check, ce.Err.Error()
	}
	return r
}

// Handler serves the ERP hook API:
//
//	POST /v1/forms        an FNO XML body → 202 {"id": …, "duplicate": …}
//	                      or 422 with the refused field and reason
//	POST /v1/batches      multipart/form-data, one form per part → 200
//	                      with one answer per part, in order
//	GET  /v1/forms/{id}   the submission's state and status history
//
// Behind auth's middleware a form outside the client's scope is refused
// with 403 on POST (before it is signed or stored); on GET another
// taxpayer's submission is a 404, the same as an unknown id.
func (in *Intake) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/forms", in.post)
	mux.HandleFunc("POST /v1/batches", in.postBatch)
	mux.HandleFunc("GET /v1/forms/{id}", in.get)
	mux.HandleFunc("GET /openapi.json", serveOpenAPI)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (in *Intake) post(w http.ResponseWriter, r *http.Request) {
	batch, ref := in.batchOf(r, false)
	if ref != nil {
		writeJSON(w, http.StatusBadRequest, ref)
		return
	}
	data, err := in.readBody(w, r)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			in.observe(Result{}, err)
		}
		writeReadError(w, err)
		return
	}
	res, err := in.SubmitTo(r.Context(), batch, data)
	code, body := answerOf(res, err)
	if err == nil {
		w.Header().Set("Location", "/v1/forms/"+res.ID)
	}
	writeJSON(w, code, body)
}

// answerOf is the HTTP status and body of one form's answer, the same
// for a form alone and for a form of a batch.
func answerOf(res Result, err error) (int, any) {
	switch {
	case errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge, RefusalOf(err)
	case errors.Is(err, auth.ErrOutOfScope):
		return http.StatusForbidden, Refusal{Error: "forbidden", Field: "taxpayer", Reason: err.Error()}
	case errors.Is(err, ErrPublish):
		return http.StatusServiceUnavailable, Refusal{Error: err.Error()}
	case err != nil:
		return http.StatusUnprocessableEntity, RefusalOf(err)
	}
	return http.StatusAccepted, res
}

// Status is the answer of GET /v1/forms/{id}.
type Status struct {
	board.View
	History []board.Event `json:"history"`
}

func (in *Intake) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	// Checked before anything reaches NATS: a key of 4 KiB closes the
	// connection, one with '*' or '>' is a wildcard.
	if err := streams.CheckID(id); err != nil {
		writeJSON(w, http.StatusBadRequest, Refusal{Error: "invalid submission id", Field: "id", Reason: err.Error()})
		return
	}
	if ref, ok := checkQuery(r); !ok {
		writeJSON(w, http.StatusBadRequest, ref)
		return
	}
	v, err := in.cfg.Board.Get(r.Context(), id)
	if err == nil && auth.CheckScope(r.Context(), v.Taxpayer) != nil {
		// Another taxpayer's submission answers exactly like an unknown
		// one: ids are hashes of forms, so a 403 would tell a client that
		// a form it guessed was filed.
		err = board.ErrNotFound
	}
	if errors.Is(err, board.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, Refusal{Error: "no submission " + id})
		return
	}
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, Refusal{Error: err.Error()})
		return
	}
	h, _ := in.cfg.Board.History(r.Context(), id)
	writeJSON(w, http.StatusOK, Status{View: v, History: h})
}

// checkQuery refuses query parameters no header could carry either (NUL,
// control characters, oversized): none is used today, but each one may
// end up in a log line or a lookup.
func checkQuery(r *http.Request) (Refusal, bool) {
	for name, vs := range r.URL.Query() {
		if err := streams.CheckHeader(name); err != nil {
			return Refusal{Error: "invalid query parameter", Field: "query", Reason: err.Error()}, false
		}
		for _, v := range vs {
			if err := streams.CheckHeader(v); err != nil {
				return Refusal{Error: "invalid query parameter", Field: name, Reason: err.Error()}, false
			}
		}
	}
	return Refusal{}, true
}

// readBody reads a form of at most the maximum size, in one allocation
// when the length is announced (io.ReadAll would grow and copy it).
func (in *Intake) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	limit := in.cfg.MaxFormSize
	if r.ContentLength > limit {
		return nil, &TooLargeError{Size: r.ContentLength, Max: limit}
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	if r.ContentLength > 0 {
		data := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(body, data); err != nil {
			return nil, err
		}
		return data, nil
	}
	data, err := io.ReadAll(body)
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return nil, &TooLargeError{Size: limit + 1, Max: limit}
	}
	return data, err
}

// writeReadError answers a body that could not be read: 413 for one over
// the maximum (permanent), 503 when the server had no room for it (retry),
// 400 otherwise (the client broke off or was too slow).
func writeReadError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrTooLarge):
		writeJSON(w, http.StatusRequestEntityTooLarge, RefusalOf(err))
	case errors.Is(err, httplimit.ErrBusy):
		httplimit.Busy(w, err)
	default:
		writeJSON(w, http.StatusBadRequest, Refusal{Error: "could not read the request body", Field: "body", Reason: err.Error()})
	}
}
