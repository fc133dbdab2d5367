package dashboard

import (
	"bytes"
	"errors"
	"mime"
	"net/http"
	"sort"
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
// first, with their progress and outcome counts.
func (s *Server) batches(w http.ResponseWriter, r *request) {
	s.batchesPage(w, r, "batches")
}

// batchesLive is the list alone, fetched again on a status event.
func (s *Server) batchesLive(w http.ResponseWriter, r *request) {
	s.batchesPage(w, r, "batchlist")
}

func (s *Server) batchesPage(w http.ResponseWriter, r *request, tpl string) {
	if _, err := query(r.Request); err != nil {
		s.fail(w, r.Request, http.StatusBadRequest, err)
		return
	}
	vs, err := s.views(r.Context(), r.who)
	if err != nil {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return
	}
	s.render(w, r, tpl, batchesData{Batches: report.Summaries(vs, s.cfg.Table)})
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
	all, err := s.views(r.Context(), r.who)
	if err != nil {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
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

// batch shows one batch: its counts, its forms, its reports.
func (s *Server) batch(w http.ResponseWriter, r *request) {
	s.batchPage(w, r, "batch")
}

// batchLive is the batch page's counts and forms alone.
func (s *Server) batchLive(w http.ResponseWriter, r *request) {
	s.batchPage(w, r, "batchlive")
}

func (s *Server) batchPage(w http.ResponseWriter, r *request, tpl string) {
	if _, err := query(r.Request); err != nil {
		s.fail(w, r.Request, http.StatusBadRequest, err)
		return
	}
	_, vs, ok := s.batchViews(w, r)
	if !ok {
		return
	}
	sums := report.Summaries(vs, s.cfg.Table)
	// In the reports' order: by taxpayer, form and period.
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i], vs[j]
		switch {
		case a.Taxpayer != b.Taxpayer:
			return a.Taxpayer < b.Taxpayer
		case a.Form != b.Form:
			return a.Form < b.Form
		}
		return a.Period < b.Period
	})
	d := batchData{Batch: sums[0], Forms: vs, Formats: report.Formats}
	if len(vs) > batchRows {
		d.Forms, d.More = vs[:batchRows], len(vs)-batchRows
	}
	s.render(w, r, tpl, d)
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
