package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

var update = flag.Bool("update", false, "rewrite the README's flag table from the command definitions")

// programs are every salyq binary's command line, with a sandbox that
// fails the test when opened.
func programs(t *testing.T) map[string]Program {
	noSandbox := func(SandboxConfig) (Sandbox, error) {
		t.Error("sandbox opened")
		return nil, errors.New("no sandbox here")
	}
	return map[string]Program{
		"salyq":    CLI{Sandbox: noSandbox}.Main,
		"producer": Service("producer", Parts{Intake: true}),
		"worker":   Service("worker", Parts{Worker: true}),
		"poller":   Service("poller", Parts{Poller: true}),
	}
}

// commandPaths lists every runnable command of root, as arguments.
func commandPaths(root *cobra.Command) [][]string {
	var out [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		out = append(out, path)
		for _, sub := range c.Commands() {
			walk(sub, append(append([]string(nil), path...), sub.Name()))
		}
	}
	walk(root, nil)
	return out
}

// TestHelpRunsNothing: -h and --help on every command of every binary
// print help, succeed, and start nothing: no data directory, no file.
func TestHelpRunsNothing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	paths := commandPaths(CLI{}.Command(IO{}))
	if len(paths) < 12 {
		t.Fatalf("only %d commands found: %v", len(paths), paths)
	}
	for name, p := range programs(t) {
		cmds := [][]string{nil}
		if name == "salyq" {
			cmds = paths
		}
		for _, path := range cmds {
			for _, h := range []string{"-h", "--help"} {
				args := append(append([]string(nil), path...), h)
				var out, errs bytes.Buffer
				if err := p(ctx, args, IO{In: strings.NewReader(""), Out: &out, Err: &errs}); err != nil {
					t.Errorf("%s %v: %v", name, args, err)
				}
				if !strings.Contains(out.String(), "Usage:") {
					t.Errorf("%s %v printed no help: %q %q", name, args, out.String(), errs.String())
				}
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("help created %v", entries)
	}
}

// TestFlagsAnyOrder: flags after or between arguments mean the same as
// before them.
func TestFlagsAnyOrder(t *testing.T) {
	nca := testenv.Path(t, "testdata", "nca")
	t.Setenv("SALYQ_KEYS_PASSWORD", "Qwerty12")
	key := filepath.Join(nca, "p12", "legal_valid_head.p12")
	trust := []string{"--trust", filepath.Join(nca, "certs"), "--crl", filepath.Join(nca, "crl", "nca_gost2022_test_2026.crl")}
	at := []string{"--at", "2026-07-01T00:00:00Z"}
	orders := [][]string{
		append(append(append([]string{"keys", "inspect"}, trust...), at...), key),
		append(append([]string{"keys", "inspect", key}, trust...), at...),
		append(append(append([]string{"keys", "inspect"}, at...), key), trust...),
	}
	var first string
	for _, args := range orders {
		var out, errs bytes.Buffer
		if err := Main(context.Background(), args, IO{Out: &out, Err: &errs}); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errs.String())
		}
		if !strings.Contains(out.String(), "Revocation:  good") {
			t.Errorf("%v: flags not taken:\n%s", args, out.String())
		}
		if first == "" {
			first = out.String()
		} else if out.String() != first {
			t.Errorf("%v printed\n%s\nwant\n%s", args, out.String(), first)
		}
	}

	file := filepath.Join(t.TempDir(), "tokens")
	for _, args := range [][]string{
		{"tokens", "add", "erp-1", "--taxpayers", "all", "--api-tokens", file},
		{"tokens", "add", "--api-tokens", file, "erp-2", "--taxpayers", "all"},
		{"tokens", "revoke", "erp-1", "--api-tokens", file},
	} {
		var out, errs bytes.Buffer
		if err := Main(context.Background(), args, IO{Out: &out, Err: &errs}); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errs.String())
		}
	}
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"tokens", "list", "--api-tokens", file}, IO{Out: &out, Err: &out}); err != nil || !strings.Contains(out.String(), "erp-2") || strings.Count(out.String(), "+05:00") != 3 {
		t.Errorf("tokens list: %v\n%s", err, out.String())
	}
}

// TestBadSettings: a value a flag refuses, from the command line or from
// its variable, is a usage error naming it, before anything starts.
func TestBadSettings(t *testing.T) {
	for _, tc := range []struct {
		env, value string
		args       []string
		want       string
	}{
		{env: "SALYQ_GRACE", value: "abc", want: "SALYQ_GRACE"},
		{env: "SALYQ_CONCURRENCY", value: "lots", want: "SALYQ_CONCURRENCY"},
		{env: "SALYQ_TEST_IDENTITIES", value: "maybe", want: "SALYQ_TEST_IDENTITIES"},
		{env: "SALYQ_MAX_FORM_SIZE", value: "4MB", want: "SALYQ_MAX_FORM_SIZE"},
		{env: "SALYQ_SYNC", value: "sometimes", want: "SALYQ_SYNC"},
		{env: "SALYQ_LOG_FORMAT", value: "xml", want: "SALYQ_LOG_FORMAT"},
		{args: []string{"--revocation", "maybe"}, want: "--revocation"},
		{args: []string{"--log-level", "loud"}, want: "--log-level"},
		{args: []string{"--no-such-flag"}, want: "--no-such-flag"},
	} {
		if tc.env != "" {
			t.Setenv(tc.env, tc.value)
		}
		_, err := configOf(All, tc.args...)
		var out, errs bytes.Buffer
		runErr := Main(context.Background(), append([]string{"run", "--data", t.TempDir()}, tc.args...), IO{Out: &out, Err: &errs})
		for _, e := range []error{err, runErr} {
			if !errors.Is(e, ErrUsage) || !strings.Contains(e.Error(), tc.want) || ExitCode(e) != ExitUsage {
				t.Errorf("%s=%q %v: %v, want a usage error naming %s", tc.env, tc.value, tc.args, e, tc.want)
			}
		}
		if strings.Contains(errs.String(), "starting") {
			t.Errorf("%s=%q %v: started: %s", tc.env, tc.value, tc.args, errs.String())
		}
		if tc.env != "" {
			os.Unsetenv(tc.env)
		}
	}
}

// TestBooleanSettings: booleans take true/false/1/0 from their variable,
// and the command line wins over the variable.
func TestBooleanSettings(t *testing.T) {
	for _, tc := range []struct {
		value string
		args  []string
		want  bool
	}{
		{"true", nil, true}, {"1", nil, true}, {"false", nil, false}, {"0", nil, false},
		{"1", []string{"--test-identities=false"}, false},
		{"0", []string{"--test-identities"}, true},
	} {
		t.Setenv("SALYQ_TEST_IDENTITIES", tc.value)
		cfg, err := configOf(All, tc.args...)
		if err != nil || cfg.TestIdentities != tc.want {
			t.Errorf("SALYQ_TEST_IDENTITIES=%s %v: %v, %v", tc.value, tc.args, cfg.TestIdentities, err)
		}
	}
}

// TestEveryFlagHasItsVariable: every flag of every command can be set by
// a SALYQ_ variable, and its help says which.
func TestEveryFlagHasItsVariable(t *testing.T) {
	for _, path := range commandPaths(CLI{}.Command(IO{})) {
		cmd, _, err := CLI{}.Command(IO{}).Find(path)
		if err != nil {
			t.Fatal(err)
		}
		cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if v := envOf(f); !strings.HasPrefix(v, "SALYQ_") || !strings.Contains(f.Usage, v) {
				t.Errorf("salyq %v --%s: variable %q, usage %q", path, f.Name, v, f.Usage)
			}
		})
	}
	if got := envName("dlq replay", "all"); got != "SALYQ_DLQ_REPLAY_ALL" {
		t.Errorf("envName: %s", got)
	}
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("boom"), 1},
		{ErrNotFound, 1},
		{ErrTimeout, 1},
		{ErrUsage, 2},
		{ErrFailed, 3},
	} {
		if got := ExitCode(tc.err); got != tc.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
	// Through the command line: usage errors of every kind are 2.
	for _, args := range [][]string{nil, {"frobnicate"}, {"dlq"}, {"dlq", "replay"}, {"status", "a", "b"}, {"run", "--nats"}, {"keys", "inspect"}} {
		var out, errs bytes.Buffer
		if got := ExitCode(Main(context.Background(), args, IO{Out: &out, Err: &errs})); got != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, got, ExitUsage)
		}
	}
}

func TestVersionAndCompletion(t *testing.T) {
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"--version"}, IO{Out: &out, Err: &out}); err != nil || !strings.HasPrefix(out.String(), "salyq ") || !strings.Contains(out.String(), "go1.") {
		t.Errorf("--version: %v %q", err, out.String())
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out.Reset()
		if err := Main(context.Background(), []string{"completion", shell}, IO{Out: &out, Err: &out}); err != nil || !strings.Contains(out.String(), "salyq") {
			t.Errorf("completion %s: %v %.80q", shell, err, out.String())
		}
	}
}

// TestREADMEFlagTable: the README's table of `salyq run` flags is the one
// the command defines (go test ./internal/app -run README -update
// rewrites it).
func TestREADMEFlagTable(t *testing.T) {
	const begin, end = "<!-- flags: salyq run -->\n", "<!-- end of flags -->"
	path := testenv.Path(t, "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q … %q section", begin, end)
	}
	run, _, err := CLI{}.Command(IO{}).Find([]string{"run"})
	if err != nil {
		t.Fatal(err)
	}
	want := FlagTable(run)
	if got := s[i+len(begin) : j]; got != want {
		if *update {
			if err := os.WriteFile(path, []byte(s[:i+len(begin)]+want+s[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's flag table differs from the command's flags; run go test ./internal/app -run README -update\n%s", want)
	}
}
