package auth

import (
	"crypto/subtle"
	"fmt"
	"os"
	"sync"
)

// Tokens authenticates against a tokens file, re-reading it when it
// changes. It is safe for concurrent use.
type Tokens struct {
	path string

	mu      sync.Mutex
	stat    os.FileInfo
	entries []Entry
	err     error
}

// OpenTokens reads the tokens file at path; it must exist, so that a
// mistyped --api-tokens fails at start instead of refusing every client.
func OpenTokens(path string) (*Tokens, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTokensFile, err)
	}
	t := &Tokens{path: path}
	if _, err := t.current(); err != nil {
		return nil, err
	}
	return t, nil
}

// current returns the entries, reloading the file when its identity,
// size or modification time changed (a rename by Add or Revoke changes
// the identity even within one clock tick). A file that became unusable
// fails every check: an older copy may hold a token revoked since.
func (t *Tokens) current() ([]Entry, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, err := os.Stat(t.path)
	if err != nil {
		t.stat, t.entries, t.err = nil, nil, fmt.Errorf("%w: %w", ErrTokensFile, err)
		return nil, t.err
	}
	if t.stat != nil && os.SameFile(t.stat, st) && st.ModTime().Equal(t.stat.ModTime()) && st.Size() == t.stat.Size() {
		return t.entries, t.err
	}
	data, err := os.ReadFile(t.path)
	if err != nil {
		t.stat, t.entries, t.err = nil, nil, fmt.Errorf("%w: %w", ErrTokensFile, err)
		return nil, t.err
	}
	t.stat = st
	t.entries, t.err = parseFile(t.path, data)
	return t.entries, t.err
}

// Token returns the principal of a bearer token.
func (t *Tokens) Token(token string) (Principal, error) {
	entries, err := t.current()
	if err != nil {
		return Principal{}, err
	}
	h := []byte(Hash(token))
	found := -1
	// Every entry is compared, in constant time, so that timing tells
	// nothing about which hashes are near.
	for i, e := range entries {
		if subtle.ConstantTimeCompare(h, []byte(e.SHA256)) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Principal{}, ErrBadToken
	}
	if entries[found].Revoked != nil {
		return Principal{}, ErrRevoked
	}
	return entries[found].Principal(), nil
}

// Name returns the principal of the entry called name: a verified client
// certificate's CN.
func (t *Tokens) Name(name string) (Principal, error) {
	entries, err := t.current()
	if err != nil {
		return Principal{}, err
	}
	for _, e := range entries {
		if e.Name != name {
			continue
		}
		if e.Revoked != nil {
			return Principal{}, ErrRevoked
		}
		return e.Principal(), nil
	}
	return Principal{}, ErrUnknownClient
}
