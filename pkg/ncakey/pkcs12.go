package ncakey

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/salyq/salyq/pkg/crypto/gost3410"
	"github.com/salyq/salyq/pkg/pkcs12"
)

// Load reads a PKCS#12 file; see Parse.
func Load(path, password string) (*Key, error) {
	data, err := readContainer(path)
	if err != nil {
		return nil, err
	}
	k, err := Parse(data, password)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// maxContainerSize bounds what is read into memory: a key container is a
// few kilobytes, so anything near this is not one.
const maxContainerSize = 1 << 20

// readContainer reads a key container file, refusing oversized files
// before reading them whole.
func readContainer(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ncakey: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxContainerSize+1))
	if err != nil {
		return nil, fmt.Errorf("ncakey: %w", err)
	}
	if len(data) > maxContainerSize {
		return nil, fmt.Errorf("ncakey: larger than %d bytes: %w", maxContainerSize, ErrMalformed)
	}
	return data, nil
}

// Parse reads a PKCS#12 container holding one private key and its
// certificate (CA certificates may follow): NCA's Kalkan containers (BER,
// 3DES key bag, RC2-40 certificate bag, GOST keys) and OpenSSL-made ones
// (RSA). Errors wrap ErrWrongPassword, ErrSeveralKeys, ErrNoPrivateKey,
// ErrNoCertificate, ErrKeyMismatch, ErrUnsupportedKey or ErrMalformed, and
// never contain the password.
func Parse(data []byte, password string) (*Key, error) {
	c, err := pkcs12.Decode(data, password)
	if err != nil {
		return nil, classifyPKCS12(err)
	}
	if c.Certificate == nil {
		return nil, fmt.Errorf("ncakey: pkcs12: %w", ErrNoCertificate)
	}
	switch k := c.Key.(type) {
	case *rsa.PrivateKey:
		cert, chain := leafFirst(&k.PublicKey, c.Certificate, c.CAs)
		return NewRSAKey(k, cert, chain)
	case *pkcs12.GOSTKey:
		curve, err := gost3410.CurveByOID(k.CurveOID.String())
		if err != nil {
			return nil, fmt.Errorf("ncakey: GOST key curve %s: %w", k.CurveOID, ErrUnsupportedKey)
		}
		priv, err := gost3410.NewPrivateKey(curve, k.D)
		if err != nil {
			return nil, fmt.Errorf("ncakey: GOST key: %w: %w", ErrMalformed, err)
		}
		return NewGOSTKey(priv, c.Certificate, c.CAs)
	default:
		// ECDSA and Ed25519 keys are not NCA profiles.
		return nil, fmt.Errorf("ncakey: %T private key: %w", c.Key, ErrUnsupportedKey)
	}
}

// leafFirst puts the certificate of pub first: the localKeyId that ties a
// key to its certificate is optional, and some tools write the CA first.
// If no certificate matches, the order is kept and NewRSAKey reports the
// mismatch.
func leafFirst(pub *rsa.PublicKey, cert *x509.Certificate, chain []*x509.Certificate) (*x509.Certificate, []*x509.Certificate) {
	if pub.Equal(cert.PublicKey) {
		return cert, chain
	}
	for i, c := range chain {
		if pub.Equal(c.PublicKey) {
			rest := append([]*x509.Certificate{cert}, chain[:i]...)
			return c, append(rest, chain[i+1:]...)
		}
	}
	return cert, chain
}

// classifyPKCS12 maps container errors onto this package's sentinels.
func classifyPKCS12(err error) error {
	switch {
	case errors.Is(err, pkcs12.ErrWrongPassword):
		return fmt.Errorf("ncakey: pkcs12: %w", ErrWrongPassword)
	case errors.Is(err, pkcs12.ErrSeveralKeys):
		return fmt.Errorf("ncakey: pkcs12: %w", ErrSeveralKeys)
	case errors.Is(err, pkcs12.ErrNoKey):
		return fmt.Errorf("ncakey: pkcs12: %w", ErrNoPrivateKey)
	case errors.Is(err, pkcs12.ErrUnsupported):
		return fmt.Errorf("ncakey: %w: %w", ErrUnsupportedKey, err)
	}
	return fmt.Errorf("ncakey: %w: %w", ErrMalformed, err)
}
