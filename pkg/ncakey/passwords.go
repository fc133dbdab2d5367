package ncakey

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// PasswordsFile is the name of the file in a keystore directory that maps
// container file names to passwords.
const PasswordsFile = "passwords"

// PasswordEnv is the environment variable the salyq commands read the
// common keystore password from.
const PasswordEnv = "SALYQ_KEYS_PASSWORD"

// PasswordFromEnv returns the common keystore password from
// SALYQ_KEYS_PASSWORD, for KeystoreOptions.Password. ok is false when the
// variable is unset.
func PasswordFromEnv() (password string, ok bool) {
	return os.LookupEnv(PasswordEnv)
}

// listed is one line of a passwords file.
type listed struct {
	password string
	line     int
}

// parsePasswords reads "<file name> <password>" lines. The password is
// the rest of the line after the whitespace following the name, so it
// may contain spaces but not start or end with them. Lines starting with
// # and blank lines are skipped. Errors name the line, never its content.
func parsePasswords(data []byte) (map[string]listed, error) {
	out := make(map[string]listed)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.IndexAny(line, " \t")
		if i < 0 {
			return nil, fmt.Errorf("ncakey: %s line %d: want \"<file name> <password>\": %w", PasswordsFile, n, ErrPasswords)
		}
		name, pw := line[:i], strings.TrimSpace(line[i:])
		// The first column may be a password when a line has its columns
		// swapped: it is named by its line, never quoted.
		if first, dup := out[name]; dup {
			return nil, fmt.Errorf("ncakey: %s line %d: the file of line %d listed again: %w", PasswordsFile, n, first.line, ErrPasswords)
		}
		out[name] = listed{password: pw, line: n}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("ncakey: %s: %w: %w", PasswordsFile, ErrPasswords, err)
	}
	return out, nil
}

// LoadBeside loads one container whose password is either given or listed
// in the PasswordsFile of the container's own directory, as the sandbox
// and keystore directories lay them out.
func LoadBeside(path, password string) (*Key, error) {
	if password == "" {
		data, err := os.ReadFile(filepath.Join(filepath.Dir(path), PasswordsFile))
		if err != nil {
			return nil, fmt.Errorf("ncakey: %s: no password given and no %s beside it: %w", path, PasswordsFile, ErrPasswords)
		}
		pws, err := parsePasswords(data)
		if err != nil {
			return nil, err
		}
		l, ok := pws[filepath.Base(path)]
		if !ok {
			return nil, fmt.Errorf("ncakey: %s: not listed in %s: %w", path, PasswordsFile, ErrPasswords)
		}
		password = l.password
	}
	return Load(path, password)
}
