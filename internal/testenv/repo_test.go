package testenv

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestPathInsideRepository(t *testing.T) {
	root := Root(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	if got, want := Path(t, "docs", "STATUSES.md"), filepath.Join(root, "docs", "STATUSES.md"); got != want {
		t.Errorf("Path = %s, want %s", got, want)
	}
	if n := len(Files(t, "*.p12", "testdata", "nca", "p12")); n != 6 {
		t.Errorf("%d NCA containers, want 6", n)
	}
}

// TestNoSiblingFolder keeps the repository self-contained: no file may
// point at a folder beside the clone, which a fresh git clone lacks.
func TestNoSiblingFolder(t *testing.T) {
	root := Root(t)
	// Built from parts so that this file does not match itself.
	needle := []byte(".." + "/" + "shared")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == ".git" || name == "salyq-data" || name == ".helpers") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, needle) {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s refers to %s beside the repository", rel, needle)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
