package ncakey

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
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

// Parse reads a DER PKCS#12 container holding one RSA private key, its
// certificate first and optionally CA certificates after it. Errors wrap
// ErrWrongPassword, ErrSeveralKeys, ErrNoPrivateKey, ErrNoCertificate,
// ErrKeyMismatch, ErrUnsupportedKey, ErrUnsupportedContainer or
// ErrMalformed, and never contain the password.
func Parse(data []byte, password string) (*Key, error) {
	priv, cert, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, classifyPKCS12(err)
	}
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		cert, chain = leafFirst(&p.PublicKey, cert, chain)
		return NewRSAKey(p, cert, chain)
	default:
		// ECDSA and Ed25519 keys are not NCA profiles; GOST keys never
		// get here (x509 cannot parse their PKCS#8).
		return nil, fmt.Errorf("ncakey: %T private key: %w", priv, ErrUnsupportedKey)
	}
}

// leafFirst puts the certificate of pub first. go-pkcs12 takes the first
// certificate bag as the leaf, but the bag order is not fixed by PKCS#12
// and some tools write the CA first. If no certificate matches, the order
// is kept and NewRSAKey reports the mismatch.
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

// classifyPKCS12 maps go-pkcs12 errors onto this package's sentinels.
// go-pkcs12 exports sentinels only for the password; the other cases are
// recognised by message, pinned by the tests against the vendored
// version (v0.7.4). Unrecognised errors become ErrMalformed, keeping the
// library's text (which never includes the password).
func classifyPKCS12(err error) error {
	var notImpl pkcs12.NotImplementedError
	msg := err.Error()
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
		return fmt.Errorf("ncakey: pkcs12: %w", ErrWrongPassword)
	case strings.Contains(msg, "indefinite length"):
		// NCA's Kalkan containers verify their MAC (so the password is
		// right) but are BER inside; PROTOCOL.md §5.
		return fmt.Errorf("ncakey: pkcs12: BER indefinite-length encoding inside the container (a Kalkan container?), which the PKCS#12 decoder cannot read; a Kalkan/GOST loader is needed: %w", ErrUnsupportedContainer)
	case strings.Contains(msg, "expected exactly one key bag"):
		return fmt.Errorf("ncakey: pkcs12: %w", ErrSeveralKeys)
	case strings.Contains(msg, "private key missing"):
		return fmt.Errorf("ncakey: pkcs12: %w", ErrNoPrivateKey)
	case strings.Contains(msg, "certificate missing"):
		return fmt.Errorf("ncakey: pkcs12: %w", ErrNoCertificate)
	case strings.Contains(msg, "unknown algorithm"):
		return fmt.Errorf("ncakey: pkcs12: %w: %w", ErrUnsupportedKey, err)
	case errors.As(err, &notImpl):
		return fmt.Errorf("ncakey: %w: %w", ErrUnsupportedContainer, err)
	}
	return fmt.Errorf("ncakey: %w: %w", ErrMalformed, err)
}
