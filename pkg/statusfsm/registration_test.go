package statusfsm_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/salyq/salyq/pkg/statusfsm"
)

// TestRegister: SONO's registration number is kept on the form, once,
// without a move or an outbox entry.
func TestRegister(t *testing.T) {
	ctx := context.Background()
	s, err := statusfsm.Open(filepath.Join(t.TempDir(), "s.db"), &statusfsm.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Create(ctx, statusfsm.Form{ID: "r1", Taxpayer: "900101300017"}, statusfsm.Meta{At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Get("r1")
	for range 2 {
		if err := s.Register(ctx, "r1", "91000202300000001"); err != nil {
			t.Fatal(err)
		}
	}
	f, err := s.Get("r1")
	if err != nil || f.Registration != "91000202300000001" || f.State != before.State || f.Seq != before.Seq {
		t.Errorf("after Register: %+v %v", f, err)
	}
	if err := s.Register(ctx, "nope", "1"); err == nil {
		t.Error("registered an unknown form")
	}
}
