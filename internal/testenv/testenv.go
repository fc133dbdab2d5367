package testenv

import (
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Shared returns the path of rel inside ../shared beside the repository
// root (the directory holding go.mod), as CI lays it out. Missing test
// material fails the test: a test that silently skipped would prove
// nothing.
func Shared(t testing.TB, rel ...string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: go.mod not found above the package directory")
		}
		dir = parent
	}
	p := filepath.Join(append([]string{dir, "..", "shared"}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("testenv: shared test material missing: %v", err)
	}
	return p
}

// ReadShared reads a file of the shared material.
func ReadShared(t testing.TB, rel ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(Shared(t, rel...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Tool returns the path of an external oracle. Under CI (CI set), which
// installs them, a missing tool fails the test; elsewhere it skips.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("testenv: %s is not installed", name)
		}
		t.Skipf("testenv: %s is not installed", name)
	}
	return p
}

// SharedFiles reads every file of the shared material matching pattern
// (a filepath.Match pattern) in the directory rel, keyed by file name.
// No match fails the test.
func SharedFiles(t testing.TB, pattern string, rel ...string) map[string][]byte {
	t.Helper()
	dir := Shared(t, rel...)
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
