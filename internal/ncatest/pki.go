package ncatest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"sync"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Options configure New. The zero value is a usable default.
type Options struct {
	// Now is the issue time: default NotBefore is Now-1h and default
	// NotAfter is Now+Validity. Zero means time.Now().
	Now time.Time
	// Validity of end-entity certificates; zero means one year, as NCA
	// issues them.
	Validity time.Duration
	// Encoder writes PKCS#12 files; nil means pkcs12.LegacyRC2, whose
	// algorithms (RC2-40 certificate bag, 3DES key bag, SHA-1 MAC) are
	// those of NCA's own containers, minus the BER encoding.
	Encoder *pkcs12.Encoder
}

// PKI is a test certification authority. It is safe for concurrent use.
type PKI struct {
	now      time.Time
	validity time.Duration
	encoder  *pkcs12.Encoder
	root     *x509.Certificate
	rootKey  *rsa.PrivateKey

	mu     sync.Mutex
	seq    int       // next NewIIN/NewBIN sequence number
	issued []*Issued // in issue order, for WriteDir
}

// RootCommonName is the CN of the test root (C=KZ), shaped like NCA's
// RSA CA but marked as a test CA so that it is never mistaken for the
// real one.
const RootCommonName = "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) SALYQ TEST"

// New creates a test PKI with a fresh RSA-2048 root CA valid for ten
// years around opts.Now.
func New(opts Options) (*PKI, error) {
	p := &PKI{now: opts.Now, validity: opts.Validity, encoder: opts.Encoder}
	if p.now.IsZero() {
		p.now = time.Now()
	}
	p.now = p.now.UTC().Truncate(time.Second)
	if p.validity <= 0 {
		p.validity = 365 * 24 * time.Hour
	}
	if p.encoder == nil {
		p.encoder = pkcs12.LegacyRC2
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("ncatest: root key: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: RootCommonName, Country: []string{"KZ"}},
		NotBefore:             p.now.Add(-24 * time.Hour),
		NotAfter:              p.now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SignatureAlgorithm:    x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("ncatest: root certificate: %w", err)
	}
	if p.root, err = x509.ParseCertificate(der); err != nil {
		return nil, fmt.Errorf("ncatest: root certificate: %w", err)
	}
	p.rootKey = key
	return p, nil
}

// Now is the PKI's issue time.
func (p *PKI) Now() time.Time { return p.now }

// Root is the root CA certificate.
func (p *PKI) Root() *x509.Certificate { return p.root }

// RootPool is a certificate pool holding the root, for x509 verification.
func (p *PKI) RootPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.root)
	return pool
}

// RootPEM is the root CA certificate in PEM.
func (p *PKI) RootPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.root.Raw})
}

// WriteRootPEM writes the root CA certificate in PEM to path.
func (p *PKI) WriteRootPEM(path string) error {
	if err := os.WriteFile(path, p.RootPEM(), 0o644); err != nil {
		return fmt.Errorf("ncatest: %w", err)
	}
	return nil
}

// nextSeq hands out sequence numbers for generated identifiers, so one
// PKI never gives two holders the same IIN or BIN.
func (p *PKI) nextSeq() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	return p.seq
}

func newSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("ncatest: serial: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}
