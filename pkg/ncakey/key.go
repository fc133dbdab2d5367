package ncakey

import (
	"crypto/x509"
	"fmt"
	"time"

	"github.com/salyq/salyq/pkg/xmldsig"
)

// Key is a loaded private key with its certificate and the identity read
// from it. The private key is held only as an xmldsig.Signer, so a key of
// any type (RSA today, GOST from a Kalkan container later) is a Key.
// A Key is immutable and safe for concurrent use.
type Key struct {
	signer xmldsig.Signer
	chain  []*x509.Certificate
	id     Identity
}

// NewKey makes a Key from a signer and the CA certificates that came with
// it (may be nil). It is the constructor for loaders of other key types:
// the loader must have checked that the private key behind s matches
// s.Certificate(). NCA test identifiers are accepted here and flagged in
// Identity().Test; the Keystore refuses them unless configured otherwise.
func NewKey(s xmldsig.Signer, chain []*x509.Certificate) (*Key, error) {
	if s == nil || s.Certificate() == nil {
		return nil, fmt.Errorf("ncakey: signer without certificate: %w", ErrNoCertificate)
	}
	id, err := ParseIdentity(s.Certificate(), true)
	if err != nil {
		return nil, err
	}
	return &Key{signer: s, chain: append([]*x509.Certificate(nil), chain...), id: id}, nil
}

// Signer returns the signer for package xmldsig.
func (k *Key) Signer() xmldsig.Signer { return k.signer }

// Certificate returns the key's certificate.
func (k *Key) Certificate() *x509.Certificate { return k.signer.Certificate() }

// Chain returns the CA certificates stored with the key, leaf excluded.
func (k *Key) Chain() []*x509.Certificate {
	return append([]*x509.Certificate(nil), k.chain...)
}

// Identity returns whose key this is.
func (k *Key) Identity() Identity { return k.id }

// CheckValidAt refuses the key when t is outside its certificate's
// validity (*ValidityError wrapping ErrExpired or ErrNotYetValid).
func (k *Key) CheckValidAt(t time.Time) error { return k.id.CheckValidAt(t) }

// CheckCanSign refuses an authentication-only key (ErrNotSigningKey).
func (k *Key) CheckCanSign() error { return k.id.CheckCanSign() }

// CheckSign is the check before signing a document at time t: the key
// must be a signing key and valid at t.
func (k *Key) CheckSign(t time.Time) error {
	if err := k.CheckCanSign(); err != nil {
		return err
	}
	return k.CheckValidAt(t)
}
