package dashboard

import (
	"bytes"
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/report"
	"github.com/salyq/salyq/internal/streams"
)

// batchRows bounds the forms a batch page lists: a quarter's batch may
// hold thousands, which the reports carry in full.
const batchRows = 500

type batchesData struct {
	Batches []report.Summary
}

type batchData struct {
	Batch report.Summary
	Forms []board.View
	// More is how many forms the page does not list.
	More    int
	Formats []string
}

// batches lists the batches of the forms the token may see, newest
// first, with their progress and outcome counts, with the named
// template: the page, or "batchlist", the list alone, fetched again on a
// status event.
func (s *Server) batches(tpl string) func(http.ResponseWriter, *request) {
	return func(w http.ResponseWriter, r *request) {
		if _, err := query(r.Request); err != nil {
			s.fail(w, r.Request, http.StatusBadRequest, err)
			return
		}
		vs, ok := s.scoped(w, r)
		if !ok {
			return
		}
		s.render(w, r, tpl, batchesData{Batches: report.Summaries(vs, s.cfg.Table)})
	}
}

// batchViews returns the views of the batch in the request's path that
// the token may see, newest first: 400 for an id that cannot be one,
// 404 when none (a batch of other taxpayers' forms is none).
func (s *Server) batchViews(w http.ResponseWriter, r *request) (string, []board.View, bool) {
	id := r.PathValue("id")
	if err := streams.CheckID(id); err != nil {
		s.fail(w, r.Request, http.StatusBadRequest, err)
		return "", nil, false
	}
	all, ok := s.scoped(w, r)
	if !ok {
		return "", nil, false
	}
	var vs []board.View
	for _, v := range all {
		if v.Batch == id {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		s.fail(w, r.Request, http.StatusNotFound, errors.New("no batch "+id))
		return "", nil, false
	}
	return id, vs, true
}

// batch shows one batch: its counts, its forms, its reports, with the
// named template: the page, or "batchlive", its counts and forms alone.
func (s *Server) batch(tpl string) func(http.ResponseWriter, *request) {
	return func(w http.ResponseWriter, r *request) {
		if _, err := query(r.Request); err != nil {
			s.fail(w, r.Request, http.StatusBadRequest, err)
			return
		}
		_, vs, ok := s.batchViews(w, r)
		if !ok {
			return
		}
		sums := report.Summaries(vs, s.cfg.Table)
		report.Order(vs)
		d := batchData{Batch: sums[0], Forms: vs, Formats: report.Formats}
		if len(vs) > batchRows {
			d.Forms, d.More = vs[:batchRows], len(vs)-batchRows
		}
		s.render(w, r, tpl, d)
	}
}

// batchReport answers a batch's report (report.csv, report.xlsx,
// report.html) of the forms the token may see: the CSV and XLSX as
// attachments, the HTML inline, to read and print.
func (s *Server) batchReport(w http.ResponseWriter, r *request) {
	file := r.PathValue("file")
	format, ok := strings.CutPrefix(file, "report.")
	if !ok || report.CheckFormat(format) != nil {
		s.fail(w, r.Request, http.StatusNotFound, errors.New("no such report "+file))
		return
	}
	if _, err := query(r.Request); err != nil {
		s.fail(w, r.Request, http.StatusBadRequest, err)
		return
	}
	id, vs, ok := s.batchViews(w, r)
	if !ok {
		return
	}
	rep, err := report.Build(id, vs, s.cfg.Table, s.cfg.Clock())
	if err != nil {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, format, rep); err != nil {
		s.fail(w, r.Request, http.StatusInternalServerError, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", report.ContentType(format))
	disposition := "attachment"
	if format == "html" {
		disposition = "inline"
		// The report is a standalone page with its styles inline and
		// nothing else: no script, nothing fetched.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": report.FileName(id, format)}))
	w.Write(buf.Bytes())
}
