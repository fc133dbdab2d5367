package dashboard

import (
	"net/http"
	"net/url"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/pkg/statusfsm"
)

type formsData struct {
	Forms            []board.View
	Status, Taxpayer string
	Statuses         []statusfsm.Status
	pager
}

// forms lists the forms, newest first, filtered by status and taxpayer.
func (s *Server) forms(w http.ResponseWriter, r *request) {
	q, page, vs, ok := s.list(w, r, "status")
	if !ok {
		return
	}
	d := formsData{Status: q["status"], Taxpayer: q["taxpayer"]}
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
	d.pager = pageOf("/ui/forms", url.Values{"status": {d.Status}, "taxpayer": {d.Taxpayer}}, page, len(d.Forms))
	d.Forms = d.Forms[d.from:d.to]
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
