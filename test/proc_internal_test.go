package test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestProc checks the chaos test's process handling on a shell: kill and
// restart are not crashes, SIGTERM of a process that handles it is a
// clean exit, and a process that exits on its own is recorded and
// started again.
func TestProc(t *testing.T) {
	dir := t.TempDir()
	p := &proc{t: t, name: "loop", bin: "/bin/sh", log: filepath.Join(dir, "loop.log"), respawn: true,
		args: []string{"-c", "trap 'exit 0' TERM; echo up; while :; do sleep 0.05; done"}}
	p.start()
	if err := p.waitReady(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, func() bool { return strings.Count(p.tail(10), "up") == 1 })
	p.kill()
	if p.alive() {
		t.Fatal("alive after kill")
	}
	p.restart()
	if !p.alive() || p.runs() != 2 {
		t.Fatalf("after restart: alive %v, runs %d", p.alive(), p.runs())
	}
	waitFor(t, 5*time.Second, func() bool { return strings.Count(p.tail(10), "up") == 2 })
	if err := p.stop(5 * time.Second); err != nil {
		t.Errorf("SIGTERM: %v, want exit 0", err)
	}
	if c := p.crashes(); len(c) != 0 {
		t.Errorf("kill and stop counted as crashes: %v", c)
	}

	c := &proc{t: t, name: "crash", bin: "/bin/sh", log: filepath.Join(dir, "crash.log"), respawn: true,
		args: []string{"-c", "exit 3"}}
	c.start()
	waitFor(t, 10*time.Second, func() bool { return len(c.crashes()) >= 2 })
	c.close()
	if got := c.crashes()[0]; !strings.HasPrefix(got, "exit status 3") {
		t.Errorf("crash recorded as %q", got)
	}
}
