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
			data, err := in.readForm(stdin)
			if err != nil {
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
			data, err := in.readFile(path)
			if err != nil {
				in.observe(Result{}, err)
			}
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
