package sandbox

import (
	"crypto/x509"
	"io"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/sonosim"
)

// inProcess is a sonosim server and the PKI it trusts.
type inProcess struct {
	*sonosim.Server
	pki  *sonosim.PKI
	step time.Duration
}

// Open opens the sandbox of cfg.Dir: its PKI (made there at first use)
// and a gateway without faults.
func Open(cfg app.SandboxConfig) (app.Sandbox, error) {
	pki, err := sonosim.OpenPKI(cfg.Dir, cfg.Now)
	if err != nil {
		return nil, err
	}
	sim := sonosim.Config{StatusStep: cfg.StatusStep, Seed: cfg.Seed, AllowTestIdentities: cfg.AllowTestIdentities}
	pki.Apply(&sim)
	srv, err := sonosim.New(sim)
	if err != nil {
		return nil, err
	}
	return &inProcess{Server: srv, pki: pki, step: cfg.StatusStep}, nil
}

func (s *inProcess) KeystoreDir() string            { return s.pki.KeystoreDir }
func (s *inProcess) TransportKeyFile() string       { return s.pki.TransportKeyFile }
func (s *inProcess) GatewayCert() *x509.Certificate { return s.pki.Gateway.Certificate() }
func (s *inProcess) StatusStep() time.Duration      { return s.step }
func (s *inProcess) Describe(w io.Writer)           { s.pki.Describe(w) }

func (s *inProcess) Filings() (accepted, duplicates int64) {
	st := s.Stats()
	return st.FilingsAccepted, st.DuplicateFilings
}
