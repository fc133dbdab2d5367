package app_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/app/sandbox"
	"github.com/salyq/salyq/internal/testenv"
)

// rejectingSeed is a sandbox seed under which SONO rejects some of 20
// sample forms (6 of them), so that submit's exit code 3 is exercised.
const rejectingSeed = "3"

// instance is a `salyq run` started in-process by a test.
type instance struct {
	data string
	logs *testenv.Buffer
	stop func() error
}

// startRun starts `salyq run` on data with args, as cmd/salyq wires it,
// and waits until its intake API has written api.url.
func startRun(t *testing.T, data string, args ...string) *instance {
	t.Helper()
	return startSalyq(t, data, append([]string{"run", "--data", data, "--http", "127.0.0.1:0", "--sandbox-step", "50ms"}, args...))
}

// startSalyq starts the command line argv, a `salyq run` on data, and
// waits until its intake API has written api.url.
func startSalyq(t *testing.T, data string, argv []string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testenv.Buffer{}
	done := make(chan error, 1)
	go func() { done <- (app.CLI{Sandbox: sandbox.Open}).Main(ctx, argv, app.IO{Out: logs, Err: logs}) }()
	in := &instance{data: data, logs: logs}
	var stopped bool
	var stopErr error
	in.stop = func() error {
		if !stopped {
			cancel()
			stopErr, stopped = <-done, true
		}
		return stopErr
	}
	t.Cleanup(func() { in.stop() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(data, "api.url")); err == nil {
			return in
		}
		select {
		case err := <-done:
			stopped, stopErr = true, err
			t.Fatalf("run stopped at start: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("run never wrote api.url:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// salyq runs one salyq command line to its end.
func salyq(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := (app.CLI{Sandbox: sandbox.Open}).Main(ctx, args, app.IO{In: strings.NewReader(""), Out: &out, Err: &errs})
	return out.String() + errs.String(), err
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOneInstancePerDataDirectory: a second run on the same --data is
// refused at once, naming the holder, and leaves the first one's files
// and service alone; once the first stops, a new one starts there.
func TestOneInstancePerDataDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts salyq run")
	}
	data := filepath.Join(t.TempDir(), "data")
	first := startRun(t, data)
	natsURL, apiURL := readFile(t, filepath.Join(data, "nats.url")), readFile(t, filepath.Join(data, "api.url"))

	out, err := salyq(t, "run", "--data", data, "--http", "127.0.0.1:0")
	if !errors.Is(err, app.ErrDataInUse) || app.ExitCode(err) != app.ExitError {
		t.Fatalf("second run: err %v (exit %d), want ErrDataInUse, exit 1\n%s", err, app.ExitCode(err), out)
	}
	want := "data directory " + data + " is in use by salyq pid " + strconv.Itoa(os.Getpid()) + " since "
	if !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "+05:00; stop it or use another --data") {
		t.Errorf("refusal %q, want %q…+05:00; stop it or use another --data", err, want)
	}
	if strings.Contains(out, "starting") {
		t.Errorf("the refused run started something:\n%s", out)
	}
	if got := readFile(t, filepath.Join(data, "nats.url")); got != natsURL {
		t.Errorf("nats.url after the refused run: %q, want %q", got, natsURL)
	}
	if got := readFile(t, filepath.Join(data, "api.url")); got != apiURL {
		t.Errorf("api.url after the refused run: %q, want %q", got, apiURL)
	}
	resp, err := http.Get(strings.TrimSpace(apiURL) + "/readyz")
	if err != nil {
		t.Fatalf("first instance after the refused run: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("first instance /readyz: %d", resp.StatusCode)
	}
	if out, err := salyq(t, "status", "--data", data); err != nil {
		t.Errorf("status against the first instance: %v\n%s", err, out)
	}

	if err := first.stop(); err != nil {
		t.Fatalf("first run: %v\n%s", err, first.logs.String())
	}
	for _, f := range []string{"nats.url", "api.url"} {
		if _, err := os.Stat(filepath.Join(data, f)); !os.IsNotExist(err) {
			t.Errorf("%s after the first run stopped: %v, want it removed", f, err)
		}
	}
	// api.url left behind by an instance that died (killed: no clean-up)
	// is not a running instance.
	if err := os.WriteFile(filepath.Join(data, "api.url"), []byte(apiURL), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := salyq(t, "submit", "--data", data, data); !errors.Is(err, app.ErrNoInstance) {
		t.Errorf("submit with a stale api.url: %v, want ErrNoInstance\n%s", err, out)
	}
	os.Remove(filepath.Join(data, "api.url"))
	startRun(t, data)
}

// TestSubmitToRunningInstance: forms written by `forms sample` are
// submitted through the running instance's API, without keys, followed to
// final statuses; exit code 3 since the sandbox rejects some.
func TestSubmitToRunningInstance(t *testing.T) {
	if testing.Short() {
		t.Skip("starts salyq run")
	}
	dir := t.TempDir()
	data, forms := filepath.Join(dir, "data"), filepath.Join(dir, "forms")

	// No instance yet: said so, nothing created.
	out, err := salyq(t, "submit", "--data", data, forms)
	if !errors.Is(err, app.ErrNoInstance) || app.ExitCode(err) != app.ExitError ||
		!strings.Contains(err.Error(), "no running salyq found under "+data+" (start `salyq run`, pass --url, or use --sign-locally)") {
		t.Fatalf("submit without an instance: %v (exit %d)\n%s", err, app.ExitCode(err), out)
	}

	// Written before run: the sandbox's PKI is made by forms sample and
	// then used by run.
	if out, err := salyq(t, "forms", "sample", "20", forms, "--data", data); err != nil {
		t.Fatalf("forms sample: %v\n%s", err, out)
	}
	names, _ := filepath.Glob(filepath.Join(forms, "*.xml"))
	if len(names) != 20 || filepath.Base(names[0]) == "" || !strings.HasPrefix(filepath.Base(names[0]), "0001-910.00-") {
		t.Fatalf("forms sample wrote %v", names)
	}
	startRun(t, data, "--sandbox-seed", rejectingSeed)

	t.Setenv("SALYQ_KEYS", filepath.Join(dir, "no-such-keystore")) // submit needs no keys
	out, err = salyq(t, "submit", forms, "--wait", "--data", data)
	if n := strings.Count(out, "queued   "); n != 20 {
		t.Fatalf("%d forms queued, want 20:\n%s", n, out)
	}
	rejected := strings.Contains(out, "REJECTION REASON")
	if !strings.Contains(out, "DEAD LETTERS") {
		t.Fatalf("no summary:\n%s", out)
	}
	if !rejected || !errors.Is(err, app.ErrFailed) || app.ExitCode(err) != app.ExitFailed {
		t.Fatalf("submit --wait: err %v (exit %d), rejections listed %v; want exit 3 with rejections\n%s", err, app.ExitCode(err), rejected, out)
	}

	// A form the intake refuses: a refusal line naming the field, exit 3.
	bad := filepath.Join(dir, "bad.xml")
	if err := os.WriteFile(bad, []byte("<fno/>"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = salyq(t, "submit", "--data", data, bad)
	// The run's batch first, then the form's line.
	batchLine, rest, _ := strings.Cut(out, "\n")
	if !strings.HasPrefix(batchLine, "batch    b") || !strings.HasPrefix(rest, "refused  "+bad+": ") || app.ExitCode(err) != app.ExitFailed {
		t.Errorf("submit of a bad form: %v (exit %d)\n%s", err, app.ExitCode(err), out)
	}

	// The same forms again: already submitted, final at once.
	out, err = salyq(t, "submit", "--data", data, "--wait", "--timeout", "1ms", forms)
	if !errors.Is(err, app.ErrTimeout) && !errors.Is(err, app.ErrFailed) {
		t.Fatalf("submit --timeout 1ms: %v\n%s", err, out)
	}
	if !strings.Contains(out, "(already submitted)") {
		t.Errorf("second submit does not say the forms were submitted before:\n%s", out)
	}
}

// TestSubmitTimeout: --timeout bounds the wait, with ErrTimeout saying
// how many forms are not final.
func TestSubmitTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("starts salyq run")
	}
	dir := t.TempDir()
	data, forms := filepath.Join(dir, "data"), filepath.Join(dir, "forms")
	if out, err := salyq(t, "forms", "sample", "--data", data, "3", forms); err != nil {
		t.Fatalf("forms sample: %v\n%s", err, out)
	}
	// Slow statuses: the forms cannot be final within the timeout.
	startRun(t, data, "--sandbox-step", "1m")
	out, err := salyq(t, "submit", "--data", data, "--wait", "--timeout", "1ms", forms)
	if !errors.Is(err, app.ErrTimeout) || app.ExitCode(err) != app.ExitError || !strings.Contains(err.Error(), "3 of 3 forms not final after 1ms") {
		t.Fatalf("submit --timeout 1ms: %v (exit %d), want ErrTimeout, 3 of 3 not final, exit 1\n%s", err, app.ExitCode(err), out)
	}
}

// TestFormsSampleTaxpayers: --taxpayers writes forms for exactly those,
// named in order; a wrong number is a usage error.
func TestFormsSampleTaxpayers(t *testing.T) {
	dir := t.TempDir()
	out, err := salyq(t, "forms", "sample", "--taxpayers", "820909361064,140940016375", "3", dir)
	if err != nil {
		t.Fatalf("forms sample: %v\n%s", err, out)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"0001-910.00-820909361064-2023-1.xml", "0002-910.00-140940016375-2023-1.xml", "0003-910.00-820909361064-2023-2.xml"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("files %v, want %v", names, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "salyq-data")); !os.IsNotExist(err) {
		t.Errorf("--taxpayers made a data directory: %v", err)
	}
	for _, args := range [][]string{{"0", dir}, {"x", dir}, {"--taxpayers", "12", "1", dir}} {
		if _, err := salyq(t, append([]string{"forms", "sample"}, args...)...); app.ExitCode(err) != app.ExitUsage {
			t.Errorf("forms sample %v: %v, want a usage error", args, err)
		}
	}
}

// TestSubmitWithToken: against an API that needs a token, submit without
// one fails (exit 1), with SALYQ_API_TOKEN or --token-file it submits.
func TestSubmitWithToken(t *testing.T) {
	if testing.Short() {
		t.Skip("starts salyq run")
	}
	dir := t.TempDir()
	data, forms, tokens := filepath.Join(dir, "data"), filepath.Join(dir, "forms"), filepath.Join(dir, "tokens")
	out, err := salyq(t, "tokens", "add", "erp", "--taxpayers", "all", "--api-tokens", tokens)
	if err != nil {
		t.Fatalf("tokens add: %v\n%s", err, out)
	}
	token := strings.Fields(out)[0]
	if out, err := salyq(t, "forms", "sample", "--data", data, "2", forms); err != nil {
		t.Fatalf("forms sample: %v\n%s", err, out)
	}
	startRun(t, data, "--api-tokens", tokens)

	out, err = salyq(t, "submit", "--data", data, forms)
	if app.ExitCode(err) != app.ExitError || !strings.Contains(out, "401") {
		t.Errorf("submit without a token: %v (exit %d), want an error naming 401\n%s", err, app.ExitCode(err), out)
	}
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := salyq(t, "submit", "--data", data, "--token-file", tokenFile, forms); err != nil || strings.Count(out, "queued ") != 2 {
		t.Errorf("submit --token-file: %v\n%s", err, out)
	}
	t.Setenv("SALYQ_API_TOKEN", token)
	if out, err := salyq(t, "submit", "--data", data, "--wait", forms); err != nil || !strings.Contains(out, "(already submitted)") {
		t.Errorf("submit with SALYQ_API_TOKEN: %v\n%s", err, out)
	}
}
