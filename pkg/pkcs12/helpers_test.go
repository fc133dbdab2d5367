package pkcs12

import (
	"os"
	"path/filepath"
	"testing"
)

// ncaTestdata returns <repo>/../shared/testdata/nca, found by walking up
// from the package directory to the one holding go.mod. Missing data is a
// test failure: CI must provide it.
func ncaTestdata(t testing.TB) string {
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
			t.Fatal("go.mod not found above the package directory")
		}
		dir = parent
	}
	nca := filepath.Join(dir, "..", "shared", "testdata", "nca")
	if _, err := os.Stat(filepath.Join(nca, "p12")); err != nil {
		t.Fatalf("NCA test data missing: %v", err)
	}
	return nca
}

// realContainers returns the paths and contents of the NCA .p12 files.
func realContainers(t testing.TB) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(ncaTestdata(t), "p12", "*.p12"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no .p12 files in NCA test data")
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

// ncaPassword is the published password of every NCA test container.
const ncaPassword = "Qwerty12"
