package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/salyq/salyq/internal/filed"
)

// filedFile is the intake's copy of SALYQ_FILED in --data.
const filedFile = "filed.db"

// defaultFiledWait bounds the first catch-up of the filed-ids index
// where the runtime has no start timeout (one made by a test).
const defaultFiledWait = time.Minute

// openFiled opens the intake's filed-ids index (internal/filed), keeps it
// following SALYQ_FILED until the runtime closes, and returns once it has
// caught up, so that the first form is answered on a complete index. If
// another process on the same --data holds the file (a `salyq submit`
// beside `salyq run`) or --data cannot be written (a container without a
// volume), a private copy in a temporary file is read from the stream
// instead: slower to start, as sure.
func (rt *Runtime) openFiled() (*filed.Index, error) {
	err := os.MkdirAll(rt.Cfg.Data, 0o700)
	var idx *filed.Index
	if err == nil {
		idx, err = filed.Open(filepath.Join(rt.Cfg.Data, filedFile))
	}
	tmp := ""
	if err != nil {
		rt.Log.Info("filed-ids index: --data not usable (another process holds the file, or not writable); reading a private copy", "err", err)
		dir, derr := os.MkdirTemp("", "salyq-filed-")
		if derr != nil {
			return nil, fmt.Errorf("filed-ids index: %w", errors.Join(err, derr))
		}
		tmp = dir
		if idx, err = filed.Open(filepath.Join(dir, filedFile)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = idx.Follow(ctx, rt.JS, rt.Log) // ends with ctx
	}()
	rt.closers = append(rt.closers, func() {
		cancel()
		<-done
		idx.Close()
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	})
	wait := rt.startTimeout
	if wait <= 0 {
		wait = defaultFiledWait
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-idx.Ready():
		return idx, nil
	case <-t.C:
		return nil, fmt.Errorf("filed-ids index: %w after %s", filed.ErrNotReady, wait)
	}
}
