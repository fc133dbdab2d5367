package dashboard

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// pageSize is how many forms a page of the list shows.
const pageSize = 50

type formsData struct {
	Forms              []board.View
	Status, Taxpayer   string
	Page, Pages, Total int
	Statuses           []statusfsm.Status
	PrevURL, NextURL   string
}

// forms lists the forms, newest first, filtered by status and taxpayer.
func (s *Server) forms(w http.ResponseWriter, r *request) {
	q, err := query(r.Request, "status", "taxpayer", "page")
	if err == nil {
		err = checkTaxpayer(q["taxpayer"])
	}
	page := 1
	if err == nil && q["page"] != "" {
		if page, err = strconv.Atoi(q["page"]); err != nil || page < 1 || page > 1_000_000 {
			err = &QueryError{Param: "page", Reason: "want a page number"}
		}
	}
	if err != nil {
		s.fail(w, r.Request, http.StatusBadRequest, err)
		return
	}
	vs, err := s.views(r.Context(), r.who)
	if err != nil {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return
	}
	d := formsData{Status: q["status"], Taxpayer: q["taxpayer"], Page: page}
	present := map[statusfsm.Status]bool{}
	for _, v := range vs {
		present[v.Status] = true
		if (d.Status == "" || string(v.Status) == d.Status) && (d.Taxpayer == "" || v.Taxpayer == d.Taxpayer) {
			d.Forms = append(d.Forms, v)
		}
	}
	for _, in := range s.cfg.Table.Statuses() {
		if present[in.Name] {
			d.Statuses = append(d.Statuses, in.Name)
		}
	}
	d.Total = len(d.Forms)
	d.Pages = max(1, (d.Total+pageSize-1)/pageSize)
	from := min((page-1)*pageSize, d.Total)
	d.Forms = d.Forms[from:min(from+pageSize, d.Total)]
	link := func(p int) string {
		v := url.Values{}
		if d.Status != "" {
			v.Set("status", d.Status)
		}
		if d.Taxpayer != "" {
			v.Set("taxpayer", d.Taxpayer)
		}
		v.Set("page", strconv.Itoa(p))
		return "/ui/forms?" + v.Encode()
	}
	if page > 1 {
		d.PrevURL = link(page - 1)
	}
	if page < d.Pages {
		d.NextURL = link(page + 1)
	}
	s.render(w, r, "forms", d)
}

// checkTaxpayer refuses a taxpayer filter that is no IIN/BIN.
func checkTaxpayer(s string) error {
	if s == "" {
		return nil
	}
	if len(s) != 12 {
		return &QueryError{Param: "taxpayer", Reason: "want a 12-digit IIN/BIN"}
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return &QueryError{Param: "taxpayer", Reason: "want a 12-digit IIN/BIN"}
		}
	}
	return nil
}
