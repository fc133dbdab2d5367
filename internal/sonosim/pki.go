package sonosim

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/pkg/certcheck"
	"github.com/salyq/salyq/pkg/ncakey"
)

// Files of a sandbox PKI directory.
const (
	pkiRootFile        = ncatest.RootFile // written last: its presence means complete
	pkiKeystoreDir     = "keys"
	pkiGatewayKey      = "gateway.p12"
	pkiGatewayPassword = "gateway.password"
	pkiGatewayCert     = "gateway-cert.pem"
)

// PKI is the sandbox's test PKI on disk: the root CA that the sandbox
// trusts, its own gateway key, and a keystore of sample keys for senders
// (taxpayers' SIGN and AUTH keys and an information-system transport key).
type PKI struct {
	Dir string
	// RootFile is the root CA certificate (PEM), the trust anchor.
	RootFile string
	// KeystoreDir is a keystore ncakey.OpenKeystore reads; its passwords
	// file lists every container's password.
	KeystoreDir string
	// TransportKeyFile is the information-system key a sender signs
	// WS-Security with.
	TransportKeyFile string
	// GatewayKeyFile and GatewayCertFile are the sandbox's own key and
	// certificate, which sign its answers.
	GatewayKeyFile, GatewayCertFile string
	// Root is the root CA.
	Root *x509.Certificate
	// Gateway is the sandbox's signing key.
	Gateway *ncakey.Key
	// Created is set when OpenPKI made the PKI rather than loading it.
	Created bool
}

// OpenPKI loads the PKI in dir, or creates one there (keys valid for a
// year from now) when dir holds none.
func OpenPKI(dir string, now time.Time) (*PKI, error) {
	p := &PKI{
		Dir:             dir,
		RootFile:        filepath.Join(dir, pkiRootFile),
		KeystoreDir:     filepath.Join(dir, pkiKeystoreDir),
		GatewayKeyFile:  filepath.Join(dir, pkiGatewayKey),
		GatewayCertFile: filepath.Join(dir, pkiGatewayCert),
	}
	_, err := os.Stat(p.RootFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := p.create(now); err != nil {
			return nil, err
		}
		p.Created = true
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrPKI, err)
	}
	if err := p.load(); err != nil {
		return nil, err
	}
	return p, nil
}

// Apply makes cfg trust this PKI (besides what it already trusts, such
// as --trust) and sign with its gateway key.
func (p *PKI) Apply(cfg *Config) {
	cfg.Trust = append(cfg.Trust, p.Root)
	cfg.Gateway = p.Gateway.Signer()
}

func (p *PKI) create(now time.Time) error {
	ca, err := ncatest.New(ncatest.Options{Now: now})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPKI, err)
	}
	if _, err := ca.IssueSet(); err != nil {
		return fmt.Errorf("%w: %w", ErrPKI, err)
	}
	keysPW, err := randomPassword()
	if err != nil {
		return err
	}
	// WriteDir writes every key issued so far: the gateway key is issued
	// after it, so that senders' keystore does not hold the gateway's key.
	if _, err := ca.WriteDir(p.KeystoreDir, keysPW); err != nil {
		return fmt.Errorf("%w: %w", ErrPKI, err)
	}
	gw, err := ca.Issue(ncatest.Request{
		Role: ncakey.RoleInfoSystem, Surname: "ШЛЮЗ", GivenName: "SONO SANDBOX",
		Organization: `SALYQ SANDBOX GATEWAY`,
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPKI, err)
	}
	gwPW, err := randomPassword()
	if err != nil {
		return err
	}
	if err := gw.WriteP12(p.GatewayKeyFile, gwPW); err != nil {
		return fmt.Errorf("%w: %w", ErrPKI, err)
	}
	writes := []struct {
		path string
		data []byte
		perm os.FileMode
	}{
		{filepath.Join(p.Dir, pkiGatewayPassword), []byte(gwPW + "\n"), 0o600},
		{p.GatewayCertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: gw.Certificate().Raw}), 0o644},
		{p.RootFile, ca.RootPEM(), 0o644},
	}
	for _, w := range writes {
		if err := os.WriteFile(w.path, w.data, w.perm); err != nil {
			return fmt.Errorf("%w: %w", ErrPKI, err)
		}
	}
	return nil
}

func (p *PKI) load() error {
	data, err := os.ReadFile(p.RootFile)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPKI, err)
	}
	roots, err := certcheck.ParseCertificates(data)
	if err != nil || len(roots) != 1 {
		return fmt.Errorf("%w: %s must hold exactly one PEM certificate", ErrPKI, p.RootFile)
	}
	p.Root = roots[0]
	pw, err := os.ReadFile(filepath.Join(p.Dir, pkiGatewayPassword))
	if err != nil {
		return fmt.Errorf("%w: gateway password: %w", ErrPKI, err)
	}
	if p.Gateway, err = ncakey.Load(p.GatewayKeyFile, strings.TrimRight(string(pw), "\r\n")); err != nil {
		return fmt.Errorf("%w: gateway key: %w", ErrPKI, err)
	}
	matches, err := filepath.Glob(filepath.Join(p.KeystoreDir, "*-infosystem-*.p12"))
	if err != nil || len(matches) == 0 {
		return fmt.Errorf("%w: no information-system transport key in %s", ErrPKI, p.KeystoreDir)
	}
	p.TransportKeyFile = matches[0]
	return nil
}

// Describe tells a newcomer where the keys are and how to use them.
func (p *PKI) Describe(w io.Writer) {
	state := "loaded"
	if p.Created {
		state = "created"
	}
	c := p.Gateway.Certificate()
	fmt.Fprintf(w, "sandbox PKI %s in %s\n", state, p.Dir)
	fmt.Fprintf(w, "  trust anchor (root CA):   %s\n", p.RootFile)
	fmt.Fprintf(w, "  sender keystore:          %s (passwords in %s)\n", p.KeystoreDir, filepath.Join(p.KeystoreDir, ncakey.PasswordsFile))
	fmt.Fprintf(w, "  transport key (WS-Sec):   %s\n", p.TransportKeyFile)
	fmt.Fprintf(w, "  gateway certificate:      %s (%s, valid %s .. %s)\n", p.GatewayCertFile,
		p.Gateway.Identity(), c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly))
}

func randomPassword() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("%w: %w", ErrPKI, err)
	}
	return hex.EncodeToString(b[:]), nil
}
