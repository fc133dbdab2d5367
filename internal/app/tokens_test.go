package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/auth"
)

// TestTokensCommand: `salyq tokens add/list/revoke` through the command
// code: the token is printed once and never stored, the file is 0600,
// list shows no hash, revoke marks the entry.
func TestTokensCommand(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens.json")
	t.Setenv("SALYQ_API_TOKENS", file)
	run := func(args ...string) (string, string, error) {
		var out, errs bytes.Buffer
		err := Main(context.Background(), append([]string{"tokens"}, args...), IO{Out: &out, Err: &errs})
		return out.String(), errs.String(), err
	}
	out, _, err := run("add", "erp-1", "--taxpayers", "123456789012,210987654321")
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(out)
	if !strings.HasPrefix(tok, auth.TokenPrefix) || strings.Count(out, "\n") != 1 {
		t.Fatalf("add printed %q, want one token line", out)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("tokens file mode %v, want 0600", st.Mode().Perm())
	}
	data, _ := os.ReadFile(file)
	if bytes.Contains(data, []byte(tok)) || bytes.Contains(data, []byte(tok[len(auth.TokenPrefix):])) {
		t.Error("the tokens file holds the token")
	}
	if !bytes.Contains(data, []byte(auth.Hash(tok))) {
		t.Error("the tokens file lacks the token's hash")
	}
	if _, _, err := run("add", "erp-1", "--taxpayers", "all"); !errors.Is(err, auth.ErrExists) {
		t.Errorf("second add of erp-1: %v", err)
	}
	if _, _, err := run("add", "erp-2", "--taxpayers", "12345"); !errors.Is(err, auth.ErrBadScope) {
		t.Errorf("add with a bad IIN: %v", err)
	}
	if _, _, err := run("add", "--api-tokens", file, "admin", "--taxpayers", "all"); err != nil {
		t.Errorf("add with flags first: %v", err)
	}

	tokens, err := auth.OpenTokens(file)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := tokens.Token(tok); err != nil || p.Name != "erp-1" || !p.Allows("210987654321") || p.Allows("999999999999") {
		t.Fatalf("the printed token: %+v %v", p, err)
	}

	out, _, err = run("list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"erp-1", "123456789012,210987654321", "admin", "all"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, auth.Hash(tok)) || strings.Contains(out, tok) {
		t.Errorf("list shows the hash or the token:\n%s", out)
	}

	if _, _, err := run("revoke", "erp-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.Token(tok); !errors.Is(err, auth.ErrRevoked) {
		t.Errorf("after revoke: %v, want ErrRevoked", err)
	}
	out, _, _ = run("list")
	if line := lineWith(out, "erp-1"); strings.HasSuffix(strings.TrimSpace(line), "-") {
		t.Errorf("list does not show erp-1 revoked: %q", line)
	}
	if _, _, err := run("revoke", "nobody"); !errors.Is(err, auth.ErrNoSuchName) {
		t.Errorf("revoke of an unknown name: %v", err)
	}
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// TestOpenAPIRefused: the intake API does not start on a public address
// without a tokens file, before it opens anything, and says what to do;
// loopback and a tokens file are accepted.
func TestOpenAPIRefused(t *testing.T) {
	t.Setenv("SALYQ_API_TOKENS", "")
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		var out, errs bytes.Buffer
		err := Main(context.Background(), []string{"run", "--http", addr, "--data", t.TempDir()}, IO{Out: &out, Err: &errs})
		if !errors.Is(err, ErrOpenAPI) || !strings.Contains(err.Error(), "--api-tokens") {
			t.Errorf("run --http %s: %v", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		if err := (Access{}).checkListen(addr); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
	if err := (Access{APITokens: "tokens.json"}).checkListen("0.0.0.0:8480"); err != nil {
		t.Errorf("with tokens: %v", err)
	}
	if _, _, err := (Access{APITokens: filepath.Join(t.TempDir(), "missing.json")}).secureAPI("0.0.0.0:8480", nil); !errors.Is(err, auth.ErrTokensFile) {
		t.Errorf("missing tokens file: %v", err)
	}
}
