package testenv

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Root returns the repository root: the nearest directory above the test's
// working directory (its package directory) that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: go.mod not found above the package directory")
		}
		dir = parent
	}
}

// Path returns the path of rel inside the repository, such as
// Path(t, "testdata", "nca", "p12") or Path(t, "docs", "STATUSES.md").
// Missing material fails the test: a test that silently skipped would
// prove nothing.
func Path(t testing.TB, rel ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{Root(t)}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("testenv: test material missing: %v", err)
	}
	return p
}

// ReadFile reads the file rel inside the repository.
func ReadFile(t testing.TB, rel ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(Path(t, rel...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Files reads every file matching pattern (a filepath.Match pattern) in
// the directory rel inside the repository, keyed by file name. No match
// fails the test.
func Files(t testing.TB, pattern string, rel ...string) map[string][]byte {
	t.Helper()
	dir := Path(t, rel...)
	paths, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil || len(paths) == 0 {
		t.Fatalf("testenv: no %s in %s: %v", pattern, dir, err)
	}
	out := make(map[string][]byte, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

// Hex decodes a test vector written in hex, spaces allowed between bytes.
func Hex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("testenv: bad hex %q: %v", s, err)
	}
	return b
}

// Lazy returns a function that makes a value once per test binary, on
// first use, and hands the same value to every test; an error fails the
// test that asked. It is for fixtures that are slow to make, such as RSA
// keys.
func Lazy[T any](make func() (T, error)) func(testing.TB) T {
	once := sync.OnceValues(make)
	return func(t testing.TB) T {
		t.Helper()
		v, err := once()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
