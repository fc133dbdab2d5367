package ncakey

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"

	"github.com/salyq/salyq/pkg/xmldsig"
)

// rsaSigner signs with RSA PKCS #1 v1.5 over SHA-256.
type rsaSigner struct {
	priv *rsa.PrivateKey
	cert *x509.Certificate
}

// NewRSAKey makes a Key from an RSA private key and its certificate,
// checking that they belong together. chain holds the CA certificates
// (may be nil).
func NewRSAKey(priv *rsa.PrivateKey, cert *x509.Certificate, chain []*x509.Certificate) (*Key, error) {
	if priv == nil {
		return nil, ErrNoPrivateKey
	}
	if cert == nil {
		return nil, ErrNoCertificate
	}
	if !priv.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("ncakey: certificate %q: %w", cert.Subject.String(), ErrKeyMismatch)
	}
	return NewKey(&rsaSigner{priv: priv, cert: cert}, chain)
}

func (s *rsaSigner) Certificate() *x509.Certificate { return s.cert }

func (s *rsaSigner) Algorithm() xmldsig.Algorithm { return xmldsig.RSASHA256 }

// Sign hashes msg with SHA-256 and signs the digest. PKCS #1 v1.5 is
// deterministic, so no randomness is needed.
func (s *rsaSigner) Sign(ctx context.Context, msg []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(nil, s.priv, crypto.SHA256, sum[:])
	if err != nil {
		return nil, fmt.Errorf("ncakey: rsa sign: %w", err)
	}
	return sig, nil
}
