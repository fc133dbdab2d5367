package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Entry is one client's token in the tokens file. The token itself is
// never stored, only its hash.
type Entry struct {
	Name      string     `json:"name"`
	SHA256    string     `json:"sha256"`
	All       bool       `json:"all,omitempty"`
	Taxpayers []string   `json:"taxpayers,omitempty"`
	Created   time.Time  `json:"created"`
	Revoked   *time.Time `json:"revoked,omitempty"`
}

// Principal is the principal the entry authenticates.
func (e Entry) Principal() Principal {
	return Principal{Name: e.Name, All: e.All, Taxpayers: e.Taxpayers}
}

// Scope is the entry's scope as `tokens add` takes it.
func (e Entry) Scope() string {
	if e.All {
		return ScopeAll
	}
	return strings.Join(e.Taxpayers, ",")
}

// fileFormat is the tokens file: JSON, so that an operator can read it
// and a configuration tool can template it.
type fileFormat struct {
	Tokens []Entry `json:"tokens"`
}

// names fit a certificate CN and a log line.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ReadFile returns the entries of the tokens file at path. A missing file
// has none.
func ReadFile(path string) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTokensFile, err)
	}
	return parseFile(path, data)
}

func parseFile(path string, data []byte) ([]Entry, error) {
	var f fileFormat
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrTokensFile, path, err)
	}
	for _, e := range f.Tokens {
		if !nameRE.MatchString(e.Name) || len(e.SHA256) != 64 {
			return nil, fmt.Errorf("%w: %s: entry %q: bad name or hash", ErrTokensFile, path, e.Name)
		}
	}
	return f.Tokens, nil
}

// writeFile replaces the tokens file atomically (a temporary file in the
// same directory, synced, renamed over it) with mode 0600: a reader —
// the running API — sees the old file or the new one, never half.
func writeFile(path string, entries []Entry) error {
	data, err := json.MarshalIndent(fileFormat{Tokens: entries}, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("auth: tokens file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("auth: tokens file: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("auth: tokens file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("auth: tokens file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("auth: tokens file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("auth: tokens file: %w", err)
	}
	return nil
}

// Add creates a token named name with scope ("all" or IIN/BIN list) in
// the tokens file at path and returns it. The token is returned only
// here: the file keeps its hash.
func Add(path, name, scope string, now time.Time, random io.Reader) (string, error) {
	if !nameRE.MatchString(name) {
		return "", fmt.Errorf("%w: %q: letters, digits, '.', '_', '-', up to 64", ErrBadName, name)
	}
	all, ids, err := ParseScope(scope)
	if err != nil {
		return "", err
	}
	tok, err := NewToken(random)
	if err != nil {
		return "", err
	}
	err = update(path, func(entries []Entry) ([]Entry, error) {
		if slices.ContainsFunc(entries, func(e Entry) bool { return e.Name == name }) {
			return nil, fmt.Errorf("%w: %s", ErrExists, name)
		}
		return append(entries, Entry{Name: name, SHA256: Hash(tok), All: all, Taxpayers: ids, Created: now.UTC()}), nil
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// Revoke marks the token named name revoked in the tokens file at path.
// The entry stays, so that the name is not reused by mistake and a
// client certificate with that CN stays refused.
func Revoke(path, name string, now time.Time) error {
	return update(path, func(entries []Entry) ([]Entry, error) {
		i := slices.IndexFunc(entries, func(e Entry) bool { return e.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("%w: %s", ErrNoSuchName, name)
		}
		if entries[i].Revoked == nil {
			t := now.UTC()
			entries[i].Revoked = &t
		}
		return entries, nil
	})
}

// update reads the tokens file at path, applies fn and writes the result,
// holding an exclusive flock on path + ".lock" throughout: two `tokens
// add` run at once (an operator and a provisioning script) would
// otherwise each write what they read, and one token would be lost. The
// lock is on a file of its own because the tokens file is replaced by a
// rename, and a lock on the old file guards nothing.
func update(path string, fn func([]Entry) ([]Entry, error)) error {
	lock, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrTokensFile, err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("%w: lock %s: %w", ErrTokensFile, lock.Name(), err)
	}
	entries, err := ReadFile(path)
	if err != nil {
		return err
	}
	if entries, err = fn(entries); err != nil {
		return err
	}
	return writeFile(path, entries)
}
