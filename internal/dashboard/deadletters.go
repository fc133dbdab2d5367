package dashboard

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/settle"
	"github.com/salyq/salyq/internal/streams"
)

// maxReplayIDs bounds the forms one replay request names.
const maxReplayIDs = 1000

type dlqData struct {
	Letters []letterRow
	Reasons []string
	Reason  string
	Audit   []Replayed
	Done    *Replayed
}

type confirmData struct {
	Letters []letterRow
	IDs     []string
	Reason  string
}

// letterRow is a dead letter with the reason it is filtered and replayed
// by.
type letterRow struct {
	delivery.Letter
	Key string
}

// reasonKey groups dead letters by cause: SONO's or the gateway's code
// when there is one (DUPLICATE, FORM_SIGNATURE …), else the class of the
// reason (poison, max-deliveries, gave-up, no-key, other). The reason's
// text names the form and SONO's request, so no two letters would share
// it, and "all of a reason" would always be one.
func reasonKey(l delivery.Letter) string {
	if l.Code != "" {
		return l.Code
	}
	return settle.ReasonClass(settle.Action{Reason: l.Reason})
}

// deadLetters lists the dead letters, filtered by reason, with the
// record of replays.
func (s *Server) deadLetters(w http.ResponseWriter, r *request) {
	q, err := query(r.Request, "reason")
	if err != nil {
		s.fail(w, r.Request, http.StatusBadRequest, err)
		return
	}
	ctx := r.Context()
	letters, err := s.letters(ctx, r)
	if err != nil {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return
	}
	d := dlqData{Reason: q["reason"]}
	for _, l := range letters {
		k := reasonKey(l)
		if !slices.Contains(d.Reasons, k) {
			d.Reasons = append(d.Reasons, k)
		}
		if d.Reason == "" || k == d.Reason {
			d.Letters = append(d.Letters, letterRow{l, k})
		}
	}
	sort.Strings(d.Reasons)
	if d.Audit, err = s.audit(ctx, r.who, s.allowedID(ctx, r)); err != nil {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return
	}
	s.render(w, r, "dlq", d)
}

// allowedID reports whether who may see the form id.
func (s *Server) allowedID(ctx context.Context, r *request) func(string) bool {
	return func(id string) bool {
		if r.who.All {
			return true
		}
		v, err := s.cfg.Board.Get(ctx, id)
		return err == nil && r.who.Allows(v.Taxpayer)
	}
}

// selected are the dead letters a replay form names: the given ids, or
// every letter of the given reason, among those who may see.
func (s *Server) selected(w http.ResponseWriter, r *request) (confirmData, bool) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r.Request, http.StatusBadRequest, err)
		return confirmData{}, false
	}
	ids, reason := r.PostForm["id"], r.PostFormValue("reason")
	if len(ids) > maxReplayIDs || (len(ids) == 0 && reason == "") {
		s.fail(w, r.Request, http.StatusBadRequest, &QueryError{Param: "id", Reason: "name forms, or a reason"})
		return confirmData{}, false
	}
	for _, id := range ids {
		if err := streams.CheckID(id); err != nil {
			s.fail(w, r.Request, http.StatusBadRequest, err)
			return confirmData{}, false
		}
	}
	if err := streams.CheckHeader(reason); err != nil {
		s.fail(w, r.Request, http.StatusBadRequest, err)
		return confirmData{}, false
	}
	letters, err := s.letters(r.Context(), r)
	if err != nil {
		s.fail(w, r.Request, http.StatusServiceUnavailable, err)
		return confirmData{}, false
	}
	d := confirmData{Reason: reason}
	for _, l := range letters {
		if streams.CheckID(l.ID) != nil || l.ID == strings.TrimPrefix(settle.PoisonSubject, streams.DLQPrefix) {
			continue // never replayed: no usable id
		}
		// Named forms are replayed as named, even when a reason labels
		// them: a letter of the reason that came after the confirmation
		// was not shown, so it is not replayed.
		if (len(ids) == 0 && reasonKey(l) == reason) || slices.Contains(ids, l.ID) {
			d.Letters = append(d.Letters, letterRow{l, reasonKey(l)})
			if !slices.Contains(d.IDs, l.ID) {
				d.IDs = append(d.IDs, l.ID)
			}
		}
	}
	return d, true
}

// confirmReplay shows what a replay would put back, and asks.
func (s *Server) confirmReplay(w http.ResponseWriter, r *request) {
	if d, ok := s.selected(w, r); ok {
		s.render(w, r, "confirm", d)
	}
}

// replay puts the selected dead letters back to the work queue
// (delivery.Replay) and records who did it.
func (s *Server) replay(w http.ResponseWriter, r *request) {
	d, ok := s.selected(w, r)
	if !ok {
		return
	}
	ctx := context.WithoutCancel(r.Context()) // a replay begun is finished and recorded
	rec := Replayed{At: s.cfg.Clock(), By: r.who.Name, Reason: d.Reason, IDs: d.IDs}
	if len(d.IDs) > 0 {
		n, err := delivery.Replay(ctx, s.cfg.JS, s.cfg.Streams, s.cfg.Board, func(id string) bool { return slices.Contains(d.IDs, id) }, s.cfg.Clock)
		rec.Count = n
		if err != nil {
			rec.Error = err.Error()
		}
	}
	if err := s.record(ctx, rec); err != nil {
		s.fail(w, r.Request, http.StatusServiceUnavailable, errors.Join(err, errors.New(rec.Error)))
		return
	}
	s.cfg.Log.Info("dashboard: replay", "token", rec.By, "forms", len(rec.IDs), "replayed", rec.Count, "err", rec.Error)
	if rec.Error != "" {
		s.fail(w, r.Request, http.StatusServiceUnavailable, errors.New(rec.Error))
		return
	}
	http.Redirect(w, r.Request, "/ui/dlq", http.StatusSeeOther)
}
