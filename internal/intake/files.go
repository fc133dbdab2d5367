package intake

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// FileResult is the result of submitting one file.
type FileResult struct {
	Path   string
	Result Result
	Err    error
}

// SubmitPaths submits every form named by paths: files, directories
// (recursively, *.xml) and "-" for stdin, as one batch (SubmitBatch).
// Each file's result goes to fn in the order of the paths as soon as it
// is known; one bad file does not stop the others.
func (in *Intake) SubmitPaths(ctx context.Context, paths []string, stdin io.Reader, fn func(FileResult)) error {
	return in.SubmitPathsIn(ctx, Batch{}, paths, stdin, fn)
}

// SubmitPathsIn is SubmitPaths with the forms in batch b.
func (in *Intake) SubmitPathsIn(ctx context.Context, b Batch, paths []string, stdin io.Reader, fn func(FileResult)) error {
	var walkErr error
	items := func(yield func(Item) bool) {
		for _, p := range paths {
			if ctx.Err() != nil {
				return
			}
			if p == "-" {
				data, err := in.readForm(stdin)
				if err != nil {
					in.observe(Result{}, err)
				}
				if !yield(Item{Name: "-", Data: data, Err: err, Batch: b}) {
					return
				}
				continue
			}
			stopped := false
			err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					if !yield(Item{Name: path, Err: err, Batch: b}) {
						stopped = true
						return fs.SkipAll
					}
					return nil
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if d.IsDir() || (path != p && !strings.EqualFold(filepath.Ext(path), ".xml")) {
					return nil
				}
				data, err := in.readFile(path)
				if err != nil {
					in.observe(Result{}, err)
				}
				if !yield(Item{Name: path, Data: data, Err: err, Batch: b}) {
					stopped = true
					return fs.SkipAll
				}
				return nil
			})
			if err != nil {
				walkErr = err
			}
			if err != nil || stopped {
				return
			}
		}
	}
	err := in.SubmitBatch(ctx, items, func(r ItemResult) {
		fn(FileResult{Path: r.Name, Result: r.Result, Err: r.Err})
	})
	if err != nil {
		return err
	}
	return walkErr
}

// readForm reads one form from r, refusing it once it is larger than the
// maximum without reading (or holding) the rest.
func (in *Intake) readForm(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, in.cfg.MaxFormSize+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > in.cfg.MaxFormSize {
		return nil, &TooLargeError{Size: int64(len(data)), Max: in.cfg.MaxFormSize}
	}
	return data, nil
}

// readFile is readForm of a file, refused by its size before it is read.
func (in *Intake) readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > in.cfg.MaxFormSize {
		return nil, &TooLargeError{Size: st.Size(), Max: in.cfg.MaxFormSize}
	}
	return in.readForm(f)
}
