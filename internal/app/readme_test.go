package app_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/testenv"
)

// usingIt is the README's "Using it" walkthrough: the first sh block of
// that section, one command a line.
func usingIt(t *testing.T, readme string) []string {
	t.Helper()
	_, section, ok := strings.Cut(readme, "\n## Using it\n")
	if !ok {
		t.Fatal(`README has no "## Using it" section`)
	}
	_, block, ok := strings.Cut(section, "```sh\n")
	if !ok {
		t.Fatal(`"Using it" has no sh block`)
	}
	block, _, _ = strings.Cut(block, "```")
	var lines []string
	for line := range strings.Lines(block) {
		// Comments start at " #"; no argument of the walkthrough has one.
		line, _, _ = strings.Cut(line, " #")
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

var readmeEnv = regexp.MustCompile(`^[A-Z_]+=\S*$`)

// TestReadmeUsingIt runs the README's "Using it" commands as a newcomer
// would on a fresh clone — in an empty directory (with the repository's
// testdata beside, as in a clone), `run` in the background and the others
// one after the other — each `go run ./cmd/salyq …` through CLI.Main.
// Two things differ from the README, so that the test can run beside
// others and quickly: run listens on a free port (submit finds it through
// api.url, as it finds the default one) and moves sandbox statuses every
// 50 ms. Each command must exit 0, submit 0 or 3 (rejected forms).
func TestReadmeUsingIt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts salyq run")
	}
	lines := usingIt(t, string(testenv.ReadFile(t, "README.md")))
	testdata := testenv.Path(t, "testdata")
	dir := t.TempDir()
	if err := os.Symlink(testdata, filepath.Join(dir, "testdata")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	var id string
	ran := map[string]bool{}
	for _, line := range lines {
		fields := strings.Fields(line)
		for len(fields) > 0 && readmeEnv.MatchString(fields[0]) {
			name, value, _ := strings.Cut(fields[0], "=")
			t.Setenv(name, value)
			fields = fields[1:]
		}
		if len(fields) < 4 || strings.Join(fields[:3], " ") != "go run ./cmd/salyq" {
			t.Fatalf("README line %q is not a salyq command", line)
		}
		args := fields[3:]
		ran[args[0]] = true
		if args[0] == "run" {
			startSalyq(t, "salyq-data", append(args, "--http", "127.0.0.1:0", "--sandbox-step", "50ms"))
			continue
		}
		for i, a := range args {
			if a == "ID" {
				if id == "" {
					t.Fatalf("README line %q needs an ID before submit printed one", line)
				}
				args[i] = id
			}
		}
		out, err := salyq(t, args...)
		t.Logf("%s\n%s", line, out)
		code := app.ExitCode(err)
		switch {
		case args[0] == "submit" && (code == app.ExitOK || code == app.ExitFailed):
			if code == app.ExitFailed && !strings.Contains(out, "REJECTION REASON") {
				t.Errorf("%s: exit 3 without rejections: %v", line, err)
			}
			if m := regexp.MustCompile(`(?m)^queued +(\S+) `).FindStringSubmatch(out); m != nil {
				id = m[1]
			}
		case code != app.ExitOK:
			t.Errorf("%s: %v (exit %d)", line, err, code)
		}
	}
	for _, cmd := range []string{"run", "forms", "submit", "status", "dlq", "keys"} {
		if !ran[cmd] {
			t.Errorf("the walkthrough does not run %s", cmd)
		}
	}
}
