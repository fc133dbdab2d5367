package ncakey

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Every refusal of a key, container or identity wraps
// one of them; file-system failures wrap the *fs.PathError instead.
var (
	// ErrInvalidIdentifier means an IIN or BIN is malformed or fails its
	// check digit.
	ErrInvalidIdentifier = errors.New("invalid identifier")
	// ErrTestIdentifier means an identifier is one of NCA's test
	// identifiers and test identities are not enabled. It is reported
	// together with ErrInvalidIdentifier.
	ErrTestIdentifier = errors.New("NCA test identifier (test identities not enabled)")
	// ErrNoIdentity means the certificate subject does not say whose key
	// it is (no SERIALNUMBER=IIN…, or no OU=BIN… for a legal entity).
	ErrNoIdentity = errors.New("certificate carries no taxpayer identity")
	// ErrUnknownRole means the certificate has none of the NCA role OIDs
	// in its extended key usage.
	ErrUnknownRole = errors.New("certificate has no NCA role")

	// ErrWrongPassword means the container password is wrong.
	ErrWrongPassword = errors.New("wrong password")
	// ErrSeveralKeys means a container holds more than one private key,
	// so which one signs would be a guess.
	ErrSeveralKeys = errors.New("container holds several private keys")
	// ErrNoPrivateKey means a container holds no private key.
	ErrNoPrivateKey = errors.New("container holds no private key")
	// ErrNoCertificate means a container holds no certificate.
	ErrNoCertificate = errors.New("container holds no certificate")
	// ErrKeyMismatch means the private key is not the key of the
	// certificate.
	ErrKeyMismatch = errors.New("private key does not match the certificate")
	// ErrUnsupportedKey means the private key type has no signer here
	// (GOST keys until the Kalkan loader exists, ECDSA, Ed25519).
	ErrUnsupportedKey = errors.New("unsupported private key type")
	// ErrUnsupportedContainer means the file is a container this loader
	// cannot read (a Kalkan BER container, an unsupported PKCS#12 variant).
	ErrUnsupportedContainer = errors.New("unsupported key container")
	// ErrMalformed means the file is not a readable PKCS#12 container.
	ErrMalformed = errors.New("malformed key container")

	// ErrExpired means the certificate's validity ended before the time
	// of use.
	ErrExpired = errors.New("certificate expired")
	// ErrNotYetValid means the certificate's validity starts after the
	// time of use.
	ErrNotYetValid = errors.New("certificate not yet valid")
	// ErrNotSigningKey means the key is an authentication key: signing a
	// document with it is forbidden (docs/PROTOCOL.md §5).
	ErrNotSigningKey = errors.New("not a signing key")

	// ErrNoKey means the keystore holds no usable key for a taxpayer.
	ErrNoKey = errors.New("no usable key")
	// ErrWrongRole means a key's role may not do what was asked: an
	// information-system key may not sign a taxpayer's form, and a
	// person's key is no transport key.
	ErrWrongRole = errors.New("key of another role")
	// ErrPasswords means the passwords file is unreadable, has a bad line,
	// or lists a file that does not exist.
	ErrPasswords = errors.New("passwords")
)

// IdentifierError says which identifier field is wrong and why. Value is
// the offending identifier (never a secret: it is printed in the
// certificate).
type IdentifierError struct {
	Field  string // "IIN", "BIN" or "IIN/BIN"
	Value  string
	Reason string
	Err    error // ErrInvalidIdentifier, or ErrTestIdentifier
}

func (e *IdentifierError) Error() string {
	return fmt.Sprintf("ncakey: %s %q: %s", e.Field, e.Value, e.Reason)
}

// Unwrap returns the sentinels behind the error; a refused test
// identifier is also an invalid identifier.
func (e *IdentifierError) Unwrap() []error {
	if errors.Is(e.Err, ErrInvalidIdentifier) {
		return []error{e.Err}
	}
	return []error{e.Err, ErrInvalidIdentifier}
}

// ValidityError reports a certificate used outside its validity window.
type ValidityError struct {
	At        time.Time
	NotBefore time.Time
	NotAfter  time.Time
	Err       error // ErrExpired or ErrNotYetValid
}

// Error gives the times in Kazakhstan's time, as the taxpayer reads them.
func (e *ValidityError) Error() string {
	if errors.Is(e.Err, ErrNotYetValid) {
		return fmt.Sprintf("ncakey: %v: valid from %s, used at %s",
			e.Err, AstanaTime(e.NotBefore), AstanaTime(e.At))
	}
	return fmt.Sprintf("ncakey: %v: valid until %s, used at %s",
		e.Err, AstanaTime(e.NotAfter), AstanaTime(e.At))
}

// Unwrap returns ErrExpired or ErrNotYetValid.
func (e *ValidityError) Unwrap() error { return e.Err }

// NoKeyError says that no usable key exists for a taxpayer and why the
// keys found cannot be used.
type NoKeyError struct {
	ID     string    // the IIN or BIN asked for
	At     time.Time // the time of use
	Detail string    // what the keystore had for ID, if anything
	// Reason is why the taxpayer's keys cannot sign at At: ErrExpired,
	// ErrNotYetValid, ErrNotSigningKey or ErrWrongRole, in that order of
	// precedence; nil when the keystore holds no key of the taxpayer.
	Reason error
	// Date goes with Reason: when the key expired (the latest expiry of
	// several) or when it becomes valid (the earliest start).
	Date time.Time
	// Role is the role of the keys refused with ErrWrongRole.
	Role Role
}

// Explain is the refusal in the user's words, dates in Kazakhstan's time:
// "key for taxpayer 820909361064 expired on 2026-03-01".
func (e *NoKeyError) Explain() string {
	switch {
	case errors.Is(e.Reason, ErrExpired):
		return fmt.Sprintf("key for taxpayer %s expired on %s", e.ID, AstanaDate(e.Date))
	case errors.Is(e.Reason, ErrNotYetValid):
		return fmt.Sprintf("key for taxpayer %s is not valid until %s", e.ID, AstanaDate(e.Date))
	case errors.Is(e.Reason, ErrNotSigningKey):
		return fmt.Sprintf("key for taxpayer %s is an authentication (AUTH) key and may not sign", e.ID)
	case errors.Is(e.Reason, ErrWrongRole):
		return fmt.Sprintf("key for taxpayer %s has role %q, which may not sign here", e.ID, e.Role.String())
	}
	return "no signing key in the keystore for taxpayer " + e.ID
}

func (e *NoKeyError) Error() string {
	if e.Detail == "" {
		return "ncakey: " + e.Explain()
	}
	return "ncakey: " + e.Explain() + " (" + e.Detail + ")"
}

// Unwrap returns ErrNoKey and the Reason, if any.
func (e *NoKeyError) Unwrap() []error {
	if e.Reason == nil {
		return []error{ErrNoKey}
	}
	return []error{ErrNoKey, e.Reason}
}

// Problem is one file of a keystore directory that did not load.
type Problem struct {
	File string // base name inside the keystore directory
	Err  error
}

// String is "file: reason".
func (p Problem) String() string { return p.File + ": " + p.Err.Error() }

// RefusedError is a key whose certificate a CertCheck refused.
type RefusedError struct {
	Certificate *x509.Certificate
	Err         error
}

func (e *RefusedError) Error() string {
	return "certificate " + e.Certificate.SerialNumber.String() + " refused: " + e.Err.Error()
}

// Unwrap returns the check's error.
func (e *RefusedError) Unwrap() error { return e.Err }
