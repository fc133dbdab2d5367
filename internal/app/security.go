package app

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"

	"github.com/salyq/salyq/internal/auth"
	"github.com/salyq/salyq/internal/broker"
	"github.com/spf13/pflag"
)

// Access is who may use the intake API and how salyq reaches NATS.
type Access struct {
	APITokens   string // tokens file; empty: the API serves loopback only
	TLSCert     string // API server certificate (PEM)
	TLSKey      string
	TLSClientCA string // CA of client certificates that authenticate
	NATS        broker.Security
}

// registerAPI adds the flags of who may use the intake API.
func (a *Access) registerAPI(fs *pflag.FlagSet) {
	fs.StringVar(&a.APITokens, "api-tokens", "", "API tokens file (manage it with `salyq tokens`); without it the intake API serves loopback only")
	fs.StringVar(&a.TLSCert, "tls-cert", "", "intake API TLS certificate, PEM")
	fs.StringVar(&a.TLSKey, "tls-key", "", "its private key, PEM")
	fs.StringVar(&a.TLSClientCA, "tls-client-ca", "", "CA of client certificates: a certificate it signed authenticates as the --api-tokens entry its CN names")
}

// registerNATS adds the flags of how salyq logs in to NATS.
func (a *Access) registerNATS(fs *pflag.FlagSet) {
	fs.StringVar(&a.NATS.Creds, "nats-creds", "", "NATS .creds file")
	fs.StringVar(&a.NATS.NKey, "nats-nkey", "", "NATS nkey seed file")
	fs.StringVar(&a.NATS.User, "nats-user", "", "NATS user")
	fs.StringVar(&a.NATS.Password, "nats-password", "", "NATS password (prefer the variable: flags show in ps)")
	fs.StringVar(&a.NATS.CA, "nats-ca", "", "CA of the NATS servers' certificates, PEM")
	fs.StringVar(&a.NATS.Cert, "nats-cert", "", "client certificate for NATS TLS, PEM")
	fs.StringVar(&a.NATS.Key, "nats-key", "", "its key, PEM")
}

// secureAPI puts api behind the access check and returns the TLS
// configuration of its listener (nil: plain HTTP). Without a tokens file
// it refuses any address but loopback: an open API signs forms with any
// taxpayer's key for whoever reaches it.
func (a Access) secureAPI(listen string, api http.Handler) (http.Handler, *tls.Config, error) {
	var tc *tls.Config
	if a.TLSCert != "" || a.TLSKey != "" || a.TLSClientCA != "" {
		var err error
		if tc, err = auth.ServerTLS(a.TLSCert, a.TLSKey, a.TLSClientCA); err != nil {
			return nil, nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	if a.APITokens == "" {
		if a.TLSClientCA != "" {
			return nil, nil, fmt.Errorf("%w: --tls-client-ca needs --api-tokens (a certificate's CN names its entry there)", ErrConfig)
		}
		if err := a.checkListen(listen); err != nil {
			return nil, nil, err
		}
		return api, tc, nil
	}
	tokens, err := auth.OpenTokens(a.APITokens)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: --api-tokens: %w", ErrConfig, err)
	}
	return tokens.Middleware(api), tc, nil
}

// checkListen refuses an intake API on any address but loopback without
// a tokens file.
func (a Access) checkListen(listen string) error {
	if a.APITokens == "" && !loopback(listen) {
		return fmt.Errorf("%w: %w: the intake API would listen on %s without authentication: pass --api-tokens FILE (create it with `salyq tokens add`), or listen on 127.0.0.1", ErrConfig, ErrOpenAPI, listen)
	}
	return nil
}

// loopback reports whether listen address addr accepts connections from
// this machine only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
