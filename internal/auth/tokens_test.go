package auth_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/auth"
)

// TestTokensReload: a running Tokens sees tokens added and revoked in the
// file without reopening it, and fails closed when the file breaks.
func TestTokensReload(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens.json")
	if _, err := auth.OpenTokens(file); !errors.Is(err, auth.ErrTokensFile) {
		t.Fatalf("missing file: %v", err)
	}
	a, err := auth.Add(file, "a", "all", time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.OpenTokens(file)
	if err != nil {
		t.Fatal(err)
	}
	b, err := auth.Add(file, "b", "123456789012", time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := tokens.Token(b); err != nil || p.Name != "b" || p.All || !p.Allows("123456789012") || p.Allows("123456789013") {
		t.Fatalf("token added after open: %+v %v", p, err)
	}
	if _, err := tokens.Token(a + "x"); !errors.Is(err, auth.ErrBadToken) {
		t.Errorf("altered token: %v", err)
	}
	if err := auth.Revoke(file, "a", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.Token(a); !errors.Is(err, auth.ErrRevoked) {
		t.Errorf("revoked token: %v", err)
	}
	if _, err := tokens.Name("a"); !errors.Is(err, auth.ErrRevoked) {
		t.Errorf("revoked name: %v", err)
	}
	if err := os.WriteFile(file, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.Token(b); !errors.Is(err, auth.ErrTokensFile) {
		t.Errorf("broken file: %v, want ErrTokensFile", err)
	}
}

// TestScopeParse: "all" or 12-digit ids, nothing else.
func TestScopeParse(t *testing.T) {
	if all, _, err := auth.ParseScope("all"); err != nil || !all {
		t.Errorf("all: %v %v", all, err)
	}
	if _, ids, err := auth.ParseScope("210987654321, 123456789012,123456789012"); err != nil || len(ids) != 2 || ids[0] != "123456789012" {
		t.Errorf("list: %v %v", ids, err)
	}
	for _, bad := range []string{"", "12345678901", "12345678901a", "all,123456789012", "*"} {
		if _, _, err := auth.ParseScope(bad); !errors.Is(err, auth.ErrBadScope) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestConcurrentAddsKeepEveryToken: tokens added at once, each by its own
// read-modify-write of the file, all end up in it, and each token
// authenticates as its name.
func TestConcurrentAddsKeepEveryToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	const n = 16
	tokens := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			tok, err := auth.Add(path, fmt.Sprintf("client-%02d", i), auth.ScopeAll, time.Now(), nil)
			tokens[i] = tok
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	entries, err := auth.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Fatalf("%d entries after %d adds at once: a write lost another's token", len(entries), n)
	}
	byHash := map[string]string{}
	for _, e := range entries {
		byHash[e.SHA256] = e.Name
	}
	for i, tok := range tokens {
		if want := fmt.Sprintf("client-%02d", i); byHash[auth.Hash(tok)] != want {
			t.Errorf("token of %s is %q's in the file", want, byHash[auth.Hash(tok)])
		}
	}
}
