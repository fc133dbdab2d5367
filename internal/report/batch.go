package report

import (
	"context"
	"sort"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// Summary is a batch's progress and outcome: its forms, how many are
// still in flight and final, and the count per lifecycle phase.
type Summary struct {
	ID, Name string
	// Created is when its first form was submitted; Updated is its
	// newest change.
	Created, Updated time.Time
	Forms            int
	InFlight, Final  int
	// Phases counts the forms per lifecycle phase, in the table's order
	// (intake, delivery, transport … accepted, posting, rejected,
	// withdrawn; unknown last).
	Phases []PhaseCount
	// Dead counts the forms dead-lettered (failed-delivery): never filed.
	Dead int
}

// PhaseCount is how many forms of a batch are in a phase.
type PhaseCount struct {
	Phase statusfsm.Phase
	Count int
}

// Percent is the share of its forms that are final, 0 to 100.
func (s Summary) Percent() int {
	if s.Forms == 0 {
		return 0
	}
	return s.Final * 100 / s.Forms
}

// Summaries sums up every batch of views (a view without a batch is in
// none), newest first.
func Summaries(views []board.View, t *statusfsm.Table) []Summary {
	byID := map[string][]board.View{}
	for _, v := range views {
		if v.Batch != "" {
			byID[v.Batch] = append(byID[v.Batch], v)
		}
	}
	out := make([]Summary, 0, len(byID))
	for id, vs := range byID {
		out = append(out, summarize(id, vs, t))
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID > out[j].ID
	})
	return out
}

// summarize sums up the views of batch id.
func summarize(id string, vs []board.View, t *statusfsm.Table) Summary {
	s := Summary{ID: id, Forms: len(vs)}
	byPhase := map[statusfsm.Phase]int{}
	for _, v := range vs {
		if s.Name == "" {
			s.Name = v.BatchName
		}
		if at := submitted(v); !at.IsZero() && (s.Created.IsZero() || at.Before(s.Created)) {
			s.Created = at
		}
		if v.Updated.After(s.Updated) {
			s.Updated = v.Updated
		}
		if v.Terminal {
			s.Final++
		} else {
			s.InFlight++
		}
		if v.Status == statusfsm.StateFailedDelivery {
			s.Dead++
		}
		byPhase[t.Info(v.Status).Phase]++
	}
	done := map[statusfsm.Phase]bool{}
	phases := []statusfsm.Phase{}
	for _, in := range t.Statuses() {
		phases = append(phases, in.Phase)
	}
	for _, p := range append(phases, "unknown") {
		if n := byPhase[p]; n > 0 && !done[p] {
			s.Phases = append(s.Phases, PhaseCount{Phase: p, Count: n})
		}
		done[p] = true
	}
	return s
}

// submitted is when the intake took v; a view written before the field
// existed has only its update time.
func submitted(v board.View) time.Time {
	if !v.Submitted.IsZero() {
		return v.Submitted
	}
	return v.Updated
}

// Views returns the views of batch id on the board that allow lets the
// caller see (nil: all), in one pass over the board.
func Views(ctx context.Context, b *board.Board, id string, allow func(taxpayer string) bool) ([]board.View, error) {
	var out []board.View
	err := b.Views(ctx, func(v board.View) error {
		if v.Batch == id && (allow == nil || allow(v.Taxpayer)) {
			out = append(out, v)
		}
		return nil
	})
	return out, err
}
