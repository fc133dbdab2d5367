package ncakey

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"fmt"

	"github.com/salyq/salyq/pkg/crypto/gost3410"
	"github.com/salyq/salyq/pkg/crypto/gostcert"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// gostSigner signs with an NCA GOST key: the message is hashed with the
// key kind's hash, and the signature is r_LE‖s_LE (docs/PROTOCOL.md §5).
type gostSigner struct {
	priv *gost3410.PrivateKey
	cert *x509.Certificate
	alg  xmldsig.Algorithm
	kind gostcert.Kind
}

// NewGOSTKey makes a Key from a GOST private key and its certificate,
// checking that the certificate carries the matching public key. chain
// holds the CA certificates (may be nil).
func NewGOSTKey(priv *gost3410.PrivateKey, cert *x509.Certificate, chain []*x509.Certificate) (*Key, error) {
	if priv == nil {
		return nil, ErrNoPrivateKey
	}
	if cert == nil {
		return nil, ErrNoCertificate
	}
	pub, err := gostcert.PublicKeyOf(cert)
	if err != nil {
		return nil, fmt.Errorf("ncakey: certificate %q: %w: %w", cert.Subject.String(), ErrUnsupportedKey, err)
	}
	if !pub.Key.Equal(priv.Public()) {
		return nil, fmt.Errorf("ncakey: certificate %q: %w", cert.Subject.String(), ErrKeyMismatch)
	}
	alg, ok := xmldsig.AlgorithmForGOST(pub.Kind)
	if !ok {
		return nil, fmt.Errorf("ncakey: %s: %w", pub.Kind, ErrUnsupportedKey)
	}
	return NewKey(&gostSigner{priv: priv, cert: cert, alg: alg, kind: pub.Kind}, chain)
}

func (s *gostSigner) Certificate() *x509.Certificate { return s.cert }

func (s *gostSigner) Algorithm() xmldsig.Algorithm { return s.alg }

// Sign hashes msg and signs the digest with a fresh random nonce.
func (s *gostSigner) Sign(ctx context.Context, msg []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h := s.kind.NewHash()
	h.Write(msg)
	sig, err := s.priv.Sign(rand.Reader, h.Sum(nil))
	if err != nil {
		return nil, fmt.Errorf("ncakey: gost sign: %w", err)
	}
	return sig, nil
}
