package app

import (
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Sandbox is an in-process gateway with a test PKI of its own, which
// `salyq run` and `salyq demo` start when no --gateway is given. It is an
// interface so that package app does not link the sandbox: only cmd/salyq
// passes one (internal/app/sandbox), and the service binaries, which get
// none, carry neither the sandbox nor its test PKI issuer.
type Sandbox interface {
	// Handler serves the SyncChannel endpoint.
	http.Handler
	// KeystoreDir is the keystore of the sandbox's sample taxpayer keys.
	KeystoreDir() string
	// TransportKeyFile is the information-system key it accepts
	// WS-Security signatures from.
	TransportKeyFile() string
	// GatewayCert is the certificate its answers are signed with.
	GatewayCert() *x509.Certificate
	// StatusStep is how long a filing stays in each status.
	StatusStep() time.Duration
	// Describe tells a newcomer where the test keys are.
	Describe(w io.Writer)
	// Filings counts the filings accepted and those filed twice.
	Filings() (accepted, duplicates int64)
}

// SandboxConfig is what a Sandbox is opened with.
type SandboxConfig struct {
	// Dir keeps its PKI: made at first use, loaded afterwards.
	Dir                 string
	Now                 time.Time
	StatusStep          time.Duration
	Seed                uint64
	AllowTestIdentities bool
}

// OpenSandbox opens a Sandbox.
type OpenSandbox func(SandboxConfig) (Sandbox, error)

// openSandbox opens the runtime's sandbox once; a runtime given no
// OpenSandbox (a service binary) needs --gateway and --keys instead.
func (rt *Runtime) openSandbox() error {
	if rt.Sandbox != nil {
		return nil
	}
	if rt.OpenSandbox == nil {
		return fmt.Errorf("%w: --gateway and --keys are required (the in-process sandbox is part of `salyq run` and `salyq demo` only)", ErrConfig)
	}
	sb, err := rt.OpenSandbox(SandboxConfig{
		Dir: rt.sandboxDir(), Now: rt.Clock(), StatusStep: rt.Cfg.SimStep, Seed: rt.Cfg.SimSeed,
		AllowTestIdentities: rt.Cfg.TestIdentities,
	})
	if err != nil {
		return err
	}
	rt.Sandbox = sb
	return nil
}
