package ncakey

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// KeystoreOptions configure OpenKeystore.
type KeystoreOptions struct {
	// Password opens every container that the passwords file does not
	// list. The caller takes it from SALYQ_KEYS_PASSWORD (PasswordFromEnv);
	// this package does not read the environment itself.
	Password string
	// AllowTestIdentities accepts keys whose certificates carry NCA's
	// test identifiers. Set it only for the NCA test environment.
	AllowTestIdentities bool
	// Load turns a container into a Key; nil means Parse (RSA PKCS#12).
	// A Kalkan/GOST loader plugs in here.
	Load func(data []byte, password string) (*Key, error)
}

// Entry is one key of a keystore and the file it came from.
type Entry struct {
	File string // base name inside the keystore directory
	Key  *Key
}

// Keystore is a directory of key containers indexed by taxpayer. It is
// built once by OpenKeystore and never changes, so it is safe for
// concurrent use.
type Keystore struct {
	dir       string
	allowTest bool
	entries   []Entry            // sorted by file name
	byID      map[string][]Entry // by TaxpayerID
	problems  []Problem
}

// OpenKeystore loads every *.p12 file in dir (not descending into
// subdirectories) and indexes the keys by the taxpayer identity in their
// certificates; file names carry no meaning. Passwords come from the
// file named PasswordsFile in dir, else opts.Password (which may be
// empty: containers with an empty password exist). A file that does
// not load is listed in Problems and does not stop the others. The error
// is non-nil only when dir or the passwords file cannot be read; an
// empty keystore is not an error (see Entries).
func OpenKeystore(dir string, opts KeystoreOptions) (*Keystore, error) {
	load := opts.Load
	if load == nil {
		load = Parse
	}
	dirents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("ncakey: keystore: %w", err)
	}
	passwords := map[string]listed{}
	switch data, err := os.ReadFile(filepath.Join(dir, PasswordsFile)); {
	case err == nil:
		if passwords, err = parsePasswords(data); err != nil {
			return nil, fmt.Errorf("ncakey: keystore %s: %w", dir, err)
		}
	case errors.Is(err, os.ErrNotExist):
	default:
		return nil, fmt.Errorf("ncakey: keystore: %w: %w", ErrPasswords, err)
	}

	ks := &Keystore{dir: dir, allowTest: opts.AllowTestIdentities, byID: map[string][]Entry{}}
	seen := map[string]bool{}
	for _, de := range dirents {
		name := de.Name()
		if de.IsDir() || !strings.EqualFold(filepath.Ext(name), ".p12") {
			continue
		}
		seen[name] = true
		pw := opts.Password
		if l, ok := passwords[name]; ok {
			pw = l.password
		}
		k, err := loadFile(filepath.Join(dir, name), pw, load)
		if err == nil {
			err = k.Identity().CheckAllowed(opts.AllowTestIdentities)
		}
		if err != nil {
			ks.problems = append(ks.problems, Problem{File: name, Err: err})
			continue
		}
		e := Entry{File: name, Key: k}
		ks.entries = append(ks.entries, e)
		id := k.Identity().TaxpayerID()
		ks.byID[id] = append(ks.byID[id], e)
	}
	for name, l := range passwords {
		if !seen[name] {
			// name may be a password (a line with its columns swapped):
			// the problem names the line only.
			ks.problems = append(ks.problems, Problem{File: fmt.Sprintf("%s line %d", PasswordsFile, l.line),
				Err: fmt.Errorf("ncakey: names no .p12 file of the keystore (columns swapped?): %w", ErrPasswords)})
		}
	}
	slices.SortFunc(ks.problems, func(a, b Problem) int { return cmp.Compare(a.File, b.File) })
	return ks, nil
}

func loadFile(path, password string, load func([]byte, string) (*Key, error)) (*Key, error) {
	data, err := readContainer(path)
	if err != nil {
		return nil, err
	}
	k, err := load(data, password)
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, fmt.Errorf("ncakey: loader returned no key: %w", ErrNoPrivateKey)
	}
	return k, nil
}

// Dir is the keystore directory.
func (ks *Keystore) Dir() string { return ks.dir }

// Entries lists the loaded keys by file name.
func (ks *Keystore) Entries() []Entry { return slices.Clone(ks.entries) }

// Problems lists the files that did not load, by file name, with the
// reason.
func (ks *Keystore) Problems() []Problem { return slices.Clone(ks.problems) }

// ForTaxpayer returns the key to sign a form of taxpayer id (an IIN for
// individuals, a BIN for legal entities) at time at: a signing key of
// that taxpayer valid at at. Information-system keys are transport keys
// and never returned here (see ForInfoSystem). Among several candidates
// it prefers the strongest role (head, right to sign, finance, legal
// entity, employee), then the certificate that stays valid longest, then
// the file name. ErrNoKey (*NoKeyError) says what was found instead.
func (ks *Keystore) ForTaxpayer(id string, at time.Time) (*Key, error) {
	keys, err := ks.TaxpayerKeys(id, at)
	if err != nil {
		return nil, err
	}
	return keys[0], nil
}

// TaxpayerKeys returns every key that may sign a form of taxpayer id at
// time at, the one ForTaxpayer would choose first. A caller that checks
// revocation, which the keystore cannot do, takes the first key that
// passes: a revoked key is passed over for the taxpayer's renewed one.
func (ks *Keystore) TaxpayerKeys(id string, at time.Time) ([]*Key, error) {
	return ks.candidates(id, at, func(r Role) bool { return r != RoleInfoSystem })
}

// ForInfoSystem returns the information-system (transport) signing key of
// the legal entity bin valid at time at.
func (ks *Keystore) ForInfoSystem(bin string, at time.Time) (*Key, error) {
	keys, err := ks.candidates(bin, at, func(r Role) bool { return r == RoleInfoSystem })
	if err != nil {
		return nil, err
	}
	return keys[0], nil
}

// roleRank orders roles by how clearly they entitle signing a tax form
// for the taxpayer; lower is preferred.
func roleRank(r Role) int {
	switch r {
	case RoleIndividual, RoleHead, RoleInfoSystem:
		return 0
	case RoleSigner:
		return 1
	case RoleFinance:
		return 2
	case RoleLegalEntity:
		return 3
	case RoleEmployee:
		return 4
	case RoleHR:
		return 5
	}
	return 6
}

// candidates returns the usable keys of id at at, best first, or a
// NoKeyError saying why there are none.
func (ks *Keystore) candidates(id string, at time.Time, roleOK func(Role) bool) ([]*Key, error) {
	if err := ValidIdentifier(id, ks.allowTest); err != nil {
		return nil, err
	}
	var usable []Entry
	var expired, notYet, authOnly, otherRole int
	nk := &NoKeyError{ID: id, At: at}
	for _, e := range ks.byID[id] {
		ident := e.Key.Identity()
		if !roleOK(ident.Role) {
			otherRole++
			nk.Role = ident.Role
			continue
		}
		if !ident.CanSign() {
			authOnly++
			continue
		}
		if err := ident.CheckValidAt(at); err != nil {
			if errors.Is(err, ErrExpired) {
				expired++
				nk.Date = latest(nk.Date, ident.NotAfter)
			} else {
				notYet++
			}
			continue
		}
		usable = append(usable, e)
	}
	if len(usable) > 0 {
		slices.SortFunc(usable, func(a, b Entry) int {
			switch {
			case better(a, b):
				return -1
			case better(b, a):
				return 1
			}
			return 0
		})
		keys := make([]*Key, len(usable))
		for i, e := range usable {
			keys[i] = e.Key
		}
		return keys, nil
	}
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{authOnly, "AUTH-only"}, {expired, "expired"}, {notYet, "not yet valid"}, {otherRole, "of another role"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	// The most telling reason first: an expired key is what a user can
	// renew; the others say that the key found is the wrong kind.
	switch {
	case expired > 0:
		nk.Reason = ErrExpired
	case notYet > 0:
		nk.Reason = ErrNotYetValid
		nk.Date = ks.earliestStart(id, at, roleOK)
	case authOnly > 0:
		nk.Reason = ErrNotSigningKey
	case otherRole > 0:
		nk.Reason = ErrWrongRole
	}
	if len(parts) > 0 {
		nk.Detail = "keys found at " + AstanaTime(at) + ": " + strings.Join(parts, ", ")
	}
	return nil, nk
}

// earliestStart is the earliest NotBefore after at of id's signing keys.
func (ks *Keystore) earliestStart(id string, at time.Time, roleOK func(Role) bool) time.Time {
	var first time.Time
	for _, e := range ks.byID[id] {
		ident := e.Key.Identity()
		if roleOK(ident.Role) && ident.CanSign() && ident.NotBefore.After(at) && (first.IsZero() || ident.NotBefore.Before(first)) {
			first = ident.NotBefore
		}
	}
	return first
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func better(a, b Entry) bool {
	ia, ib := a.Key.Identity(), b.Key.Identity()
	if ra, rb := roleRank(ia.Role), roleRank(ib.Role); ra != rb {
		return ra < rb
	}
	if !ia.NotAfter.Equal(ib.NotAfter) {
		return ia.NotAfter.After(ib.NotAfter)
	}
	return a.File < b.File
}
