package app

import (
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"net/http"

	"github.com/salyq/salyq/internal/auth"
	"github.com/salyq/salyq/internal/broker"
)

// Access is who may use the intake API and how salyq reaches NATS.
type Access struct {
	APITokens   string // tokens file; empty: the API serves loopback only
	TLSCert     string // API server certificate (PEM)
	TLSKey      string
	TLSClientCA string // CA of client certificates that authenticate
	NATS        broker.Security
}

// register adds the access flags to fs.
func (a *Access) register(fs *flag.FlagSet) {
	fs.StringVar(&a.APITokens, "api-tokens", env("SALYQ_API_TOKENS", ""), "API tokens file (env SALYQ_API_TOKENS; manage it with `salyq tokens`); without it the intake API serves loopback only")
	fs.StringVar(&a.TLSCert, "tls-cert", env("SALYQ_TLS_CERT", ""), "intake API TLS certificate, PEM (env SALYQ_TLS_CERT)")
	fs.StringVar(&a.TLSKey, "tls-key", env("SALYQ_TLS_KEY", ""), "its private key, PEM (env SALYQ_TLS_KEY)")
	fs.StringVar(&a.TLSClientCA, "tls-client-ca", env("SALYQ_TLS_CLIENT_CA", ""), "CA of client certificates (env SALYQ_TLS_CLIENT_CA): a certificate it signed authenticates as the --api-tokens entry its CN names")
	fs.StringVar(&a.NATS.Creds, "nats-creds", env("SALYQ_NATS_CREDS", ""), "NATS .creds file (env SALYQ_NATS_CREDS)")
	fs.StringVar(&a.NATS.NKey, "nats-nkey", env("SALYQ_NATS_NKEY", ""), "NATS nkey seed file (env SALYQ_NATS_NKEY)")
	fs.StringVar(&a.NATS.User, "nats-user", env("SALYQ_NATS_USER", ""), "NATS user (env SALYQ_NATS_USER)")
	fs.StringVar(&a.NATS.Password, "nats-password", env("SALYQ_NATS_PASSWORD", ""), "NATS password (env SALYQ_NATS_PASSWORD; prefer the variable: flags show in ps)")
	fs.StringVar(&a.NATS.CA, "nats-ca", env("SALYQ_NATS_CA", ""), "CA of the NATS servers' certificates, PEM (env SALYQ_NATS_CA)")
	fs.StringVar(&a.NATS.Cert, "nats-cert", env("SALYQ_NATS_CERT", ""), "client certificate for NATS TLS, PEM (env SALYQ_NATS_CERT)")
	fs.StringVar(&a.NATS.Key, "nats-key", env("SALYQ_NATS_KEY", ""), "its key, PEM (env SALYQ_NATS_KEY)")
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
