package testenv

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// outcome is how a helper ended a recorded test.
type outcome struct {
	skipped, failed bool
	msg             string
}

// recorder is a testing.TB whose Skip and Fatal end only the goroutine
// running the helper, as the real ones do, so that a test can look at how
// the helper would have ended the test that called it.
type recorder struct {
	testing.TB
	out outcome
}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.out = outcome{skipped: true, msg: fmt.Sprint(args...)}
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) { r.Skip(fmt.Sprintf(format, args...)) }

func (r *recorder) Fatal(args ...any) {
	r.out = outcome{failed: true, msg: fmt.Sprint(args...)}
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) { r.Fatal(fmt.Sprintf(format, args...)) }

// record runs f on a recorder and returns how it ended.
func record(t *testing.T, f func(testing.TB)) outcome {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.out
}

func TestInCI(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "false": false, "FALSE": false, "true": true, "1": true, "yes": true} {
		t.Setenv("CI", v)
		if got := InCI(); got != want {
			t.Errorf("CI=%q: InCI() = %v, want %v", v, got, want)
		}
	}
}

// TestToolMissing: a missing tool skips naming its Debian package, and
// fails instead under CI.
func TestToolMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for ci, wantFail := range map[string]bool{"": false, "false": false, "true": true} {
		t.Setenv("CI", ci)
		out := record(t, func(tb testing.TB) { Tool(tb, "xmlsec1", PkgXmlsec1) })
		if out.failed != wantFail || out.skipped == wantFail {
			t.Errorf("CI=%q: %+v, want failed=%v", ci, out, wantFail)
		}
		if !strings.Contains(out.msg, "xmlsec1 is not installed") || !strings.Contains(out.msg, "Debian package xmlsec1") {
			t.Errorf("CI=%q: message %q names neither the tool nor its package", ci, out.msg)
		}
	}
}

// TestOpenSSLGOSTWithoutProvider runs the real openssl with its module
// directory pointed at an empty folder, which is an OpenSSL without the
// GOST provider: it counts as missing.
func TestOpenSSLGOSTWithoutProvider(t *testing.T) {
	Tool(t, "openssl", PkgOpenSSL)
	t.Setenv("OPENSSL_MODULES", t.TempDir())
	for ci, wantFail := range map[string]bool{"": false, "1": true} {
		t.Setenv("CI", ci)
		out := record(t, func(tb testing.TB) { OpenSSLGOST(tb) })
		if out.failed != wantFail || out.skipped == wantFail {
			t.Errorf("CI=%q: %+v, want failed=%v", ci, out, wantFail)
		}
		if !strings.Contains(out.msg, "no working GOST provider") || !strings.Contains(out.msg, PkgOpenSSLGOST) {
			t.Errorf("CI=%q: message %q names neither the cause nor the package", ci, out.msg)
		}
	}
}

// TestOpenSSLGOST: the installed provider passes the probe (skips, or
// fails under CI, where it is missing).
func TestOpenSSLGOST(t *testing.T) {
	if p := OpenSSLGOST(t); p == "" {
		t.Fatal("empty path")
	}
}
