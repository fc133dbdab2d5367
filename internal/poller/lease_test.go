package poller_test

import (
	"encoding/json"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// TestStandbyTakesOver: of two pollers one is active and the other
// stands by; killing the active one (no release) hands the work to the
// standby within the lease and a third, and it finishes every form. At no
// moment are both active.
func TestStandbyTakesOver(t *testing.T) {
	const lease = 600 * time.Millisecond
	r := newRig(t, 150*time.Millisecond)
	sa := r.openStore(filepath.Join(r.dir, "a.db"))
	sb := r.openStore(filepath.Join(r.dir, "b.db"))
	a := r.startPoller("a", sa, lease, false)
	eventually(t, 5*time.Second, "a active", func() string {
		if !a.p.Active() {
			return "standing by"
		}
		return ""
	})
	b := r.startPoller("b", sb, lease, false)

	var both atomic.Int32
	watching := make(chan struct{})
	t.Cleanup(func() { close(watching) })
	go func() {
		for {
			select {
			case <-watching:
				return
			case <-time.After(2 * time.Millisecond):
			}
			if a.p.Active() && b.p.Active() {
				both.Add(1)
			}
		}
	}()

	ids := r.file(8)
	eventually(t, 10*time.Second, "a takes every form past two SONO statuses", func() string {
		for _, id := range ids {
			if v, err := r.board.Get(ctx, id); err != nil || v.Seq < 4 {
				return id + " not far enough"
			}
		}
		return ""
	})
	if b.p.Active() {
		t.Fatal("b active while a holds the lease")
	}
	killed := time.Now()
	a.wait(t)
	eventually(t, lease+lease/3+2*time.Second, "b takes over", func() string {
		if !b.p.Active() {
			return "b still standing by"
		}
		return ""
	})
	took := time.Since(killed)
	// The bound is lease + lease/3; the margin is for a loaded machine.
	if bound := lease + lease/3 + 700*time.Millisecond; took > bound {
		t.Errorf("b took over %v after a died, bound %v", took, bound)
	}
	eventually(t, 20*time.Second, "board, b's store and last event agree", func() string { return r.disagreement(sb, ids) })
	// b never held the lease before: its store is rebuilt from the board.
	checkRebuilt(t, sb, ids)
	if n := both.Load(); n > 0 {
		t.Errorf("both pollers active in %d samples", n)
	}
	t.Logf("b took over %v after a died", took.Round(time.Millisecond))
}

// TestActiveStepsDownOnConflict: a write to the lease key by anyone else
// makes the active poller step down at once; when that holder never
// renews, it takes the lease back after a whole lease.
func TestActiveStepsDownOnConflict(t *testing.T) {
	const lease = 600 * time.Millisecond
	r := newRig(t, time.Hour)
	a := r.startPoller("a", r.openStore(filepath.Join(r.dir, "a.db")), lease, true)
	eventually(t, 5*time.Second, "a active", func() string {
		if !a.p.Active() {
			return "standing by"
		}
		return ""
	})
	v, _ := json.Marshal(map[string]any{"holder": "intruder"})
	if _, err := r.set.Leases.Put(ctx, "poller", v); err != nil {
		t.Fatal(err)
	}
	wrote := time.Now()
	eventually(t, lease, "a steps down", func() string {
		if a.p.Active() {
			return "still active"
		}
		return ""
	})
	if took := time.Since(wrote); took > lease/3+400*time.Millisecond {
		t.Errorf("a stepped down %v after the conflict", took)
	}
	eventually(t, 3*lease, "a takes the lease back", func() string {
		if !a.p.Active() {
			return "standing by"
		}
		return ""
	})
	if took := time.Since(wrote); took < lease {
		t.Errorf("a took the lease back %v after the intruder's write, before a whole lease", took)
	}
	a.wait(t)
	if _, err := r.set.Leases.Get(ctx, "poller"); err == nil {
		t.Error("lease still held after a stopped with release")
	}
}
