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
// (recursively, *.xml) and "-" for stdin. Each file's result goes to fn as
// soon as it is known; one bad file does not stop the others.
func (in *Intake) SubmitPaths(ctx context.Context, paths []string, stdin io.Reader, fn func(FileResult)) error {
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == "-" {
			data, err := io.ReadAll(io.LimitReader(stdin, MaxFormSize+1))
			if err == nil && len(data) > MaxFormSize {
				err = ErrTooLarge
				in.observe(Result{}, err)
			}
			r := FileResult{Path: "-", Err: err}
			if err == nil {
				r.Result, r.Err = in.Submit(ctx, data)
			}
			fn(r)
			continue
		}
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				fn(FileResult{Path: path, Err: err})
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if d.IsDir() || (path != p && !strings.EqualFold(filepath.Ext(path), ".xml")) {
				return nil
			}
			data, err := os.ReadFile(path)
			r := FileResult{Path: path, Err: err}
			if err == nil {
				r.Result, r.Err = in.Submit(ctx, data)
			}
			fn(r)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
