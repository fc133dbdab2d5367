package dashboard

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/salyq/salyq/internal/auth"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/streams"
)

type formData struct {
	View      board.View
	History   []board.Event
	Exchanges []journal.Record
	Letter    *delivery.Letter
}

// lookup returns the view of the form in the request's path, answering
// 400 for an id that cannot be one and 404 for an unknown one or one
// outside the token's scope (told apart from nothing: ids are hashes of
// forms, so a 403 would confirm a guessed form exists).
func (s *Server) lookup(w http.ResponseWriter, r *request) (board.View, bool) {
	id := r.PathValue("id")
	if err := streams.CheckID(id); err != nil {
		s.fail(w, r.Request, http.StatusBadRequest, err)
		return board.View{}, false
	}
	v, err := s.cfg.Board.Get(r.Context(), id)
	if err == nil && auth.CheckScope(auth.WithPrincipal(r.Context(), r.who), v.Taxpayer) != nil {
		err = board.ErrNotFound
	}
	switch {
	case errors.Is(err, board.ErrNotFound):
		s.fail(w, r.Request, http.StatusNotFound, errors.New("no form "+id))
		return board.View{}, false
	case err != nil:
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return board.View{}, false
	}
	return v, true
}

func (s *Server) formData(w http.ResponseWriter, r *request) (*formData, bool) {
	if _, err := query(r.Request); err != nil {
		s.fail(w, r.Request, http.StatusBadRequest, err)
		return nil, false
	}
	v, ok := s.lookup(w, r)
	if !ok {
		return nil, false
	}
	d := &formData{View: v}
	var err error
	if d.History, err = s.cfg.Board.History(r.Context(), v.ID); err != nil {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return nil, false
	}
	d.Exchanges, err = journal.NewReader(s.cfg.JS).BySubmission(r.Context(), v.Taxpayer, v.ID)
	if err != nil && !errors.Is(err, journal.ErrNotFound) {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return nil, false
	}
	letters, err := s.letters(r.Context(), r)
	if err != nil {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return nil, false
	}
	for i := range letters {
		if letters[i].ID == v.ID {
			d.Letter = &letters[i]
		}
	}
	return d, true
}

// form shows one form: its view, history, notices, exchanges and dead
// letter.
// The named template is the page, or "formlive", its changing part
// alone, fetched again on a status event.
func (s *Server) form(tpl string) func(http.ResponseWriter, *request) {
	return func(w http.ResponseWriter, r *request) {
		if d, ok := s.formData(w, r); ok {
			s.render(w, r, tpl, d)
		}
	}
}

// exchange downloads the request or the answer of the form's n-th
// exchange (from 1) as an XML file.
func (s *Server) exchange(w http.ResponseWriter, r *request) {
	if _, err := query(r.Request); err != nil {
		s.fail(w, r.Request, http.StatusBadRequest, err)
		return
	}
	part := r.PathValue("part")
	if part != "request.xml" && part != "answer.xml" {
		s.fail(w, r.Request, http.StatusNotFound, errors.New("no such part"))
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > 100_000 {
		s.fail(w, r.Request, http.StatusBadRequest, &QueryError{Param: "n", Reason: "want an exchange number"})
		return
	}
	v, ok := s.lookup(w, r)
	if !ok {
		return
	}
	recs, err := journal.NewReader(s.cfg.JS).BySubmission(r.Context(), v.Taxpayer, v.ID)
	if err != nil && !errors.Is(err, journal.ErrNotFound) {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return
	}
	if n > len(recs) {
		s.fail(w, r.Request, http.StatusNotFound, errors.New("no such exchange"))
		return
	}
	body := recs[n-1].Request
	if part == "answer.xml" {
		body = recs[n-1].Answer
	}
	// An attachment, never rendered: the XML is the gateway's or ours,
	// and a browser must not read it as a page of this origin.
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+v.ID[:min(len(v.ID), 40)]+"-"+strconv.Itoa(n)+"-"+part+`"`)
	w.Write([]byte(body))
}
