package dashboard

import (
	"net/http"
	"net/url"
	"slices"
	"sort"

	"github.com/salyq/salyq/internal/board"
)

// noticeRow is one notice of the tax office with the form it is about.
type noticeRow struct {
	Notice board.Notice
	Form   board.View
}

type noticesData struct {
	Notices        []noticeRow
	Type, Taxpayer string
	Types          []string
	pager
}

// notices lists the tax office's notices about the forms who may see,
// newest first, filtered by type and taxpayer: at quarter-end's end the
// operator's question is which clients got a refusal or a desk audit's
// findings, which may come weeks after the forms were final.
func (s *Server) notices(w http.ResponseWriter, r *request) {
	q, page, vs, ok := s.list(w, r, "type")
	if !ok {
		return
	}
	d := noticesData{Type: q["type"], Taxpayer: q["taxpayer"]}
	types := map[string]bool{}
	for _, v := range vs {
		for _, n := range v.Notices {
			types[n.Type] = true
			if (d.Type == "" || n.Type == d.Type) && (d.Taxpayer == "" || v.Taxpayer == d.Taxpayer) {
				d.Notices = append(d.Notices, noticeRow{Notice: n, Form: v})
			}
		}
	}
	sort.SliceStable(d.Notices, func(i, j int) bool {
		a, b := d.Notices[i].Notice, d.Notices[j].Notice
		if !a.At.Equal(b.At) {
			return a.At.After(b.At)
		}
		return a.Number < b.Number
	})
	for t := range types {
		d.Types = append(d.Types, t)
	}
	slices.Sort(d.Types)
	d.pager = pageOf("/ui/notices", url.Values{"type": {d.Type}, "taxpayer": {d.Taxpayer}}, page, len(d.Notices))
	d.Notices = d.Notices[d.from:d.to]
	s.render(w, r, "notices", d)
}
