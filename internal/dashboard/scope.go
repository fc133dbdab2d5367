package dashboard

import (
	"context"
	"sort"

	"github.com/salyq/salyq/internal/auth"
	"github.com/salyq/salyq/internal/board"
)

// views returns the views of the forms who may see, newest first.
func (s *Server) views(ctx context.Context, who auth.Principal) ([]board.View, error) {
	var out []board.View
	err := s.cfg.Board.Views(ctx, func(v board.View) error {
		if who.Allows(v.Taxpayer) {
			out = append(out, v)
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Updated.Equal(out[j].Updated) {
			return out[i].Updated.After(out[j].Updated)
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}
