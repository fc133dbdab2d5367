package delays

import (
	"context"
	"maps"
	"sync"

	"github.com/salyq/salyq/internal/board"
)

// index holds the state of every form a sweep has to look at: the forms
// SONO has not accepted yet, and accepted ones still flagged Delayed.
// Kept from the board's changes (Board.Follow), it is as large as the
// forms in flight, not as the board, and keeps a few words per form, not
// the record.
type index struct {
	mu     sync.Mutex
	states map[string]state
	ready  bool // the records that existed at the start are in
}

// put takes the record of id as it is now (nil: gone).
func (x *index) put(id string, r *board.Record) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if r == nil || r.View == nil {
		delete(x.states, id)
		return
	}
	if st := stateOf(*r); !st.accepted || st.flagged {
		x.states[id] = st
		return
	}
	delete(x.states, id)
}

func (x *index) setReady() {
	x.mu.Lock()
	x.ready = true
	x.mu.Unlock()
}

// snapshot returns the states by id, and whether the index is complete.
func (x *index) snapshot() (map[string]state, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return maps.Clone(x.states), x.ready
}

// following is a running Board.Follow that fills idx.
type following struct {
	idx    *index
	cancel context.CancelFunc
	done   chan struct{}
}

// follow starts following the board into a new index.
func (w *Watch) follow(ctx context.Context) *following {
	fctx, cancel := context.WithCancel(ctx)
	f := &following{idx: &index{states: map[string]state{}}, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(f.done)
		err := w.cfg.Board.Follow(fctx, f.idx.put, f.idx.setReady)
		if err != nil && fctx.Err() == nil {
			w.cfg.Log.Warn("following the board for delayed forms; starting again at the next sweep", "err", err)
		}
	}()
	return f
}

// ended reports whether the following stopped by itself.
func (f *following) ended() bool {
	select {
	case <-f.done:
		return true
	default:
		return false
	}
}

// stop ends the following and waits for it; a nil f is stopped already.
func (f *following) stop() {
	if f == nil {
		return
	}
	f.cancel()
	<-f.done
}
