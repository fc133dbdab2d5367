package ncatest

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/salyq/salyq/pkg/crypto/gost3410"
	"github.com/salyq/salyq/pkg/ncakey"
	"software.sslmate.com/src/go-pkcs12"
)

// Issued is a key issued by the test PKI: the loaded ncakey.Key plus the
// private key in the clear, which a test PKI may hand out.
type Issued struct {
	*ncakey.Key
	priv    *rsa.PrivateKey
	gost    *gost3410.PrivateKey
	root    *x509.Certificate
	encoder *pkcs12.Encoder
}

// PrivateKey is the RSA private key; nil for a GOST key.
func (is *Issued) PrivateKey() *rsa.PrivateKey { return is.priv }

// P12 encodes the key, its certificate and the root as PKCS#12. A GOST
// key's container is neither encrypted nor MACed (see gostP12), so the
// password does not matter for it.
func (is *Issued) P12(password string) ([]byte, error) {
	if is.gost != nil {
		return gostP12(is.gost, []*x509.Certificate{is.Certificate(), is.root})
	}
	data, err := is.encoder.Encode(is.priv, is.Certificate(), []*x509.Certificate{is.root}, password)
	if err != nil {
		return nil, fmt.Errorf("ncatest: pkcs12: %w", err)
	}
	return data, nil
}

// WriteP12 writes P12(password) to path, readable by the owner only.
func (is *Issued) WriteP12(path, password string) error {
	data, err := is.P12(password)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("ncatest: %w", err)
	}
	return nil
}
