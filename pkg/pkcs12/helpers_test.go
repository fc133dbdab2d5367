package pkcs12

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// ncaTestdata is the NCA test material beside the repository.
func ncaTestdata(t testing.TB) string { return testenv.Shared(t, "testdata", "nca") }

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
