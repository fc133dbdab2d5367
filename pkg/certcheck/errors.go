package certcheck

import (
	"errors"
	"fmt"
	"math/big"
	"time"
)

var (
	// ErrUntrusted means no path leads from the certificate to a
	// configured trust anchor.
	ErrUntrusted = errors.New("certificate does not chain to a trusted NCA root")
	// ErrExpired means a certificate of the chain expired before the
	// time of use.
	ErrExpired = errors.New("certificate expired")
	// ErrNotYetValid means a certificate of the chain is not valid yet at
	// the time of use.
	ErrNotYetValid = errors.New("certificate not yet valid")
	// ErrBadSignature means a certificate or CRL signature does not
	// verify with its issuer's key.
	ErrBadSignature = errors.New("signature does not verify")
	// ErrNotCA means an issuer of the chain may not issue certificates
	// (no CA flag, no keyCertSign, or path length exceeded).
	ErrNotCA = errors.New("issuer is not allowed to issue certificates")
	// ErrWrongUsage means the certificate's key usage does not allow
	// signing documents (digitalSignature with nonRepudiation).
	ErrWrongUsage = errors.New("key usage does not allow signing documents")
	// ErrRevoked means a certificate of the chain is revoked.
	ErrRevoked = errors.New("certificate revoked")
	// ErrRevocationUnknown means revocation status is required but could
	// not be determined (source unreachable, CRL stale or invalid).
	ErrRevocationUnknown = errors.New("revocation status unknown")
	// ErrMalformedCRL means a CRL does not parse or breaks RFC 5280 in a
	// way this package does not tolerate.
	ErrMalformedCRL = errors.New("malformed CRL")
	// ErrUnsupported means an algorithm or CRL feature this package does
	// not implement (indirect CRLs, RSA-PSS, unknown critical extensions).
	ErrUnsupported = errors.New("unsupported")
	// ErrNoCertificates means a trust file or directory held none.
	ErrNoCertificates = errors.New("no certificates found")
)

// errNoSource explains an Unknown status when OCSP failed and no CRL is
// configured to fall back on.
var errNoSource = errors.New("no revocation source configured")

// ValidityError names the certificate of the chain used outside its
// validity window.
type ValidityError struct {
	Subject   string // the certificate's subject, for the message
	Serial    *big.Int
	At        time.Time
	NotBefore time.Time
	NotAfter  time.Time
	Err       error // ErrExpired or ErrNotYetValid
}

const timeLayout = "2006-01-02 15:04:05Z07:00"

// Error names the certificate, its window and the time of use, all in the
// zone of the time of use (the caller's, for people to read).
func (e *ValidityError) Error() string {
	zone := e.At.Location()
	if errors.Is(e.Err, ErrNotYetValid) {
		return fmt.Sprintf("certcheck: %q (serial %s): %v: valid from %s, used at %s",
			e.Subject, serialHex(e.Serial), e.Err, e.NotBefore.In(zone).Format(timeLayout), e.At.Format(timeLayout))
	}
	return fmt.Sprintf("certcheck: %q (serial %s): %v: valid until %s, used at %s",
		e.Subject, serialHex(e.Serial), e.Err, e.NotAfter.In(zone).Format(timeLayout), e.At.Format(timeLayout))
}

// Unwrap returns ErrExpired or ErrNotYetValid.
func (e *ValidityError) Unwrap() error { return e.Err }

// RevokedError says which certificate is revoked, since when and why.
type RevokedError struct {
	Subject   string
	Serial    *big.Int
	RevokedAt time.Time
	Reason    Reason
	Source    string // where the status came from (CRL or OCSP source)
}

// Error names the certificate, serial, revocation time and reason.
func (e *RevokedError) Error() string {
	return fmt.Sprintf("certcheck: %q (serial %s): %v at %s, reason %s (from %s)",
		e.Subject, serialHex(e.Serial), ErrRevoked, e.RevokedAt.UTC().Format(timeLayout), e.Reason, e.Source)
}

// Unwrap returns ErrRevoked.
func (e *RevokedError) Unwrap() error { return ErrRevoked }

// ChainError wraps a failure about one certificate of a chain (signature,
// CA constraints, untrusted) with the certificate's subject.
type ChainError struct {
	Subject string
	Err     error
}

// Error prefixes the cause with the certificate subject.
func (e *ChainError) Error() string {
	return fmt.Sprintf("certcheck: %q: %v", e.Subject, e.Err)
}

// Unwrap returns the underlying error.
func (e *ChainError) Unwrap() error { return e.Err }

// serialHex prints a serial the way NCA and OpenSSL tools do.
func serialHex(n *big.Int) string {
	if n == nil {
		return "?"
	}
	return fmt.Sprintf("%X", n)
}
