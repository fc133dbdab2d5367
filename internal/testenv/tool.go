package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Debian packages of the external oracles, named in skip and failure
// messages so that whoever reads them knows what to install.
const (
	PkgOpenSSL     = "openssl"
	PkgOpenSSLGOST = "libengine-gost-openssl"
	PkgXmlsec1     = "xmlsec1"
	PkgXmllint     = "libxml2-utils"
	PkgGostsum     = "gostsum" // gostsum and gost12sum
	PkgChromium    = "chromium"
)

// InCI reports whether the environment variable CI asks for CI rules: set
// to anything but "", "0" or "false".
func InCI() bool {
	v := strings.TrimSpace(os.Getenv("CI"))
	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

// Tool returns the path of the external oracle name, which the Debian
// package pkg provides. When it is missing the test skips with a message
// naming pkg, or fails under CI (see InCI): CI installs every oracle, so a
// skip there would hide a test that never ran.
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, fmt.Sprintf("%s is not installed", name), pkg)
	}
	return p
}

// OpenSSLGOST returns the path of an openssl whose GOST provider
// (gostprov) works, probed by hashing the empty input with Streebog-256.
// An openssl without it counts as missing, with the same skip-or-fail rule
// as Tool.
func OpenSSLGOST(t testing.TB) string {
	t.Helper()
	// A working provider prints one 64-digit hex digest; an openssl
	// without it fails or names an unknown option.
	digest := regexp.MustCompile(`(?m)= ?[0-9a-f]{64}\s*$`)
	return openSSLWith(t, "GOST provider", digest.Match,
		"dgst", "-provider", "gostprov", "-provider", "default", "-md_gost12_256")
}

// OpenSSLGOSTEngine returns the path of an openssl whose gost engine
// loads: the same Debian package provides the provider (digests) and the
// engine, and only the engine reads GOST keys for signatures on OpenSSL
// 3.0. A missing engine follows the skip-or-fail rule of Tool.
func OpenSSLGOSTEngine(t testing.TB) string {
	t.Helper()
	return openSSLWith(t, "gost engine", func(out []byte) bool { return bytes.Contains(out, []byte("[ available ]")) },
		"engine", "-t", "gost")
}

// openSSLWith runs openssl with args and empty input, and returns its path
// when works accepts the output; otherwise the GOST package counts as
// missing.
func openSSLWith(t testing.TB, what string, works func([]byte) bool, args ...string) string {
	t.Helper()
	openssl := Tool(t, "openssl", PkgOpenSSL)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, openssl, args...)
	cmd.Stdin = bytes.NewReader(nil)
	out, err := cmd.CombinedOutput()
	if err != nil || !works(out) {
		first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		missing(t, fmt.Sprintf("openssl has no working %s (%v: %s)", what, err, first), PkgOpenSSLGOST)
	}
	return openssl
}

// missing skips t, or fails it under CI, for a missing external tool.
func missing(t testing.TB, what, pkg string) {
	t.Helper()
	msg := fmt.Sprintf("testenv: %s; install the Debian package %s", what, pkg)
	if InCI() {
		t.Fatal(msg + " (CI is set: a missing oracle fails instead of skipping)")
	}
	t.Skip(msg)
}
