package test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is one service of the chaos test as a separate OS process: started
// from a built binary, its output appended to a log file that survives
// restarts, killed and restarted at will. A process that exits without
// having been told to (by kill or stop) is recorded as an unexpected exit
// and, like systemd with Restart=always, started again, so one crash does
// not stall the rest of the test; the test then fails on the record.
type proc struct {
	t    testing.TB
	name string
	bin  string
	args []string
	env  []string
	log  string
	// ready tells whether the process serves; nil: running is enough.
	ready func(ctx context.Context) error

	mu         sync.Mutex
	cmd        *exec.Cmd
	exited     chan struct{} // closed when cmd has exited
	exitErr    error
	expected   bool // the current run is being stopped on purpose
	starts     int
	unexpected []string // "exit status 1 after 3s" and the like
	respawn    bool     // restart after an unexpected exit
	closed     bool
}

// start launches the process; it is an error to start a running one.
func (p *proc) start() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		p.t.Fatalf("%s: started twice", p.name)
	}
	if err := p.launchLocked(); err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
}

func (p *proc) launchLocked() error {
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	p.starts++
	fmt.Fprintf(f, "=== start %d at %s\n", p.starts, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = f, f
	// A process group of its own: the test's terminal signals reach the
	// test, and the chaos loop's kills reach one service only. Pdeathsig:
	// a test binary killed from outside takes its services with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return err
	}
	exited := make(chan struct{})
	p.cmd, p.exited, p.expected, p.exitErr = cmd, exited, false, nil
	started := time.Now()
	go func() {
		err := cmd.Wait()
		f.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		p.exitErr = err
		close(exited)
		if p.cmd != cmd {
			return
		}
		p.cmd = nil
		if p.expected || p.closed {
			return
		}
		what := "exit status 0"
		if err != nil {
			what = err.Error()
		}
		p.unexpected = append(p.unexpected, fmt.Sprintf("%s after %s", what, time.Since(started).Round(time.Millisecond)))
		if p.respawn {
			time.AfterFunc(time.Second, func() {
				p.mu.Lock()
				defer p.mu.Unlock()
				if p.cmd == nil && !p.closed {
					_ = p.launchLocked() // a failure shows in the next check of alive
				}
			})
		}
	}()
	return nil
}

// signal sends sig to the running process and waits up to timeout for it
// to exit; it reports whether the process was running, and its exit
// error (nil for status 0).
func (p *proc) signal(sig syscall.Signal, timeout time.Duration) (bool, error) {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	if cmd == nil {
		p.mu.Unlock()
		return false, nil
	}
	p.expected = true
	p.mu.Unlock()
	_ = cmd.Process.Signal(sig) // it may have exited meanwhile: Wait tells
	select {
	case <-exited:
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-exited
		return true, fmt.Errorf("%s: still running %s after %v; killed", p.name, timeout, sig)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == cmd {
		p.cmd = nil
	}
	return true, p.exitErr
}

// kill SIGKILLs the process, as a crash or an OOM kill would.
func (p *proc) kill() {
	p.signal(syscall.SIGKILL, 10*time.Second)
}

// stop sends SIGTERM and returns how the process ended: nil is a clean
// exit 0.
func (p *proc) stop(timeout time.Duration) error {
	running, err := p.signal(syscall.SIGTERM, timeout)
	if !running {
		return fmt.Errorf("%s: not running when stopped", p.name)
	}
	return err
}

// restart starts a stopped process again.
func (p *proc) restart() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return
	}
	if err := p.launchLocked(); err != nil {
		p.t.Errorf("%s: restart: %v", p.name, err)
	}
}

// alive reports whether the process runs.
func (p *proc) alive() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd != nil
}

// runs counts the starts so far.
func (p *proc) runs() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.starts
}

// crashes returns the unexpected exits so far.
func (p *proc) crashes() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.unexpected...)
}

// waitReady polls the readiness probe until it passes or timeout.
func (p *proc) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		if !p.alive() {
			last = errors.New("not running")
		} else if p.ready == nil {
			return nil
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			last = p.ready(ctx)
			cancel()
			if last == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not ready after %s: %w", p.name, timeout, last)
		}
		time.Sleep(100 * time.Millisecond) // polling a condition, with a deadline
	}
}

// close kills the process for good, at the end of the test.
func (p *proc) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.kill()
}

// tail returns the last n lines of the process's log.
func (p *proc) tail(n int) string {
	data, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// httpReady is a readiness probe: GET url answers 2xx.
func httpReady(url string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		resp, err := get2xx(ctx, url)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
}

// get2xx GETs url and returns the answer if it is 2xx; otherwise an
// error naming the status, the body closed.
func get2xx(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return resp, nil
}

// buildBinaries builds the services, the sandbox and nats-server (from
// the module in go.mod) into dir.
func buildBinaries(t testing.TB, dir string) {
	t.Helper()
	start := time.Now()
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"./cmd/producer", "./cmd/worker", "./cmd/poller", "./cmd/sono-sim",
		"github.com/nats-io/nats-server/v2")
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, b := range []string{"producer", "worker", "poller", "sono-sim", "nats-server"} {
		if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
			t.Fatalf("go build made no %s: %v", b, err)
		}
	}
	t.Logf("built the binaries in %s", time.Since(start).Round(time.Millisecond))
}

// baseEnv is the test's environment without SALYQ_ settings, so that the
// developer's shell does not configure the services.
func baseEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SALYQ_") && !strings.HasPrefix(kv, "GOMEMLIMIT=") {
			out = append(out, kv)
		}
	}
	return out
}
