package dashboard

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/salyq/salyq/internal/board"
)

// pageSize is how many rows a page of a list shows.
const pageSize = 50

// pager is one page of a list of total rows.
type pager struct {
	Page, Pages, Total int
	PrevURL, NextURL   string
	from, to           int
}

// pageOf returns page (from 1) of a list of total rows whose filter is
// query, linked at path.
func pageOf(path string, query url.Values, page, total int) pager {
	p := pager{Page: page, Total: total, Pages: max(1, (total+pageSize-1)/pageSize)}
	p.from = min((page-1)*pageSize, total)
	p.to = min(p.from+pageSize, total)
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range query {
			if len(vs) > 0 && vs[0] != "" {
				v.Set(k, vs[0])
			}
		}
		v.Set("page", strconv.Itoa(n))
		return path + "?" + v.Encode()
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < p.Pages {
		p.NextURL = link(page + 1)
	}
	return p
}

// listQuery reads the query of a list page: its filter (the names in
// filter), taxpayer and page; a bad one is an error for a 400.
func listQuery(r *http.Request, filter string) (map[string]string, int, error) {
	q, err := query(r, filter, "taxpayer", "page")
	if err != nil {
		return nil, 0, err
	}
	if err := checkTaxpayer(q["taxpayer"]); err != nil {
		return nil, 0, err
	}
	page := 1
	if q["page"] != "" {
		page, err = strconv.Atoi(q["page"])
		if err != nil || page < 1 || page > 1_000_000 {
			return nil, 0, &QueryError{Param: "page", Reason: "want a page number"}
		}
	}
	return q, page, nil
}

// list is the start of a list page's handler: its query (listQuery) and
// the views the token may see; it answers 400 or 503 itself and returns
// false.
func (s *Server) list(w http.ResponseWriter, r *request, filter string) (map[string]string, int, []board.View, bool) {
	q, page, err := listQuery(r.Request, filter)
	if err != nil {
		s.fail(w, r.Request, http.StatusBadRequest, err)
		return nil, 0, nil, false
	}
	vs, ok := s.scoped(w, r)
	return q, page, vs, ok
}
