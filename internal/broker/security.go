package broker

import (
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go"
)

// Security is how a salyq process proves itself to NATS and checks the
// server: the options nats.go has, one of the three credentials (a
// .creds file, an nkey seed file, or user and password) and TLS.
type Security struct {
	Creds    string // JWT + nkey .creds file (decentralised auth)
	NKey     string // nkey seed file
	User     string
	Password string // never logged: String leaves it out
	CA       string // PEM of the CA(s) the server's certificate chains to
	Cert     string // client certificate (PEM) for TLS client auth
	Key      string // its key
}

// Options are the nats.go options of s.
func (s Security) Options() ([]nats.Option, error) {
	var opts []nats.Option
	n := 0
	if s.Creds != "" {
		n++
		opts = append(opts, nats.UserCredentials(s.Creds))
	}
	if s.NKey != "" {
		n++
		o, err := nats.NkeyOptionFromSeed(s.NKey)
		if err != nil {
			// The error names the file, not the seed.
			return nil, fmt.Errorf("%w: --nats-nkey: %w", ErrSecurityConfig, err)
		}
		opts = append(opts, o)
	}
	if s.User != "" || s.Password != "" {
		n++
		if s.User == "" {
			return nil, fmt.Errorf("%w: a NATS password needs --nats-user", ErrSecurityConfig)
		}
		opts = append(opts, nats.UserInfo(s.User, s.Password))
	}
	if n > 1 {
		return nil, fmt.Errorf("%w: give one of --nats-creds, --nats-nkey, --nats-user", ErrSecurityConfig)
	}
	if (s.Cert == "") != (s.Key == "") {
		return nil, fmt.Errorf("%w: --nats-cert and --nats-key go together", ErrSecurityConfig)
	}
	if s.CA != "" {
		opts = append(opts, nats.RootCAs(s.CA))
	}
	if s.Cert != "" {
		opts = append(opts, nats.ClientCert(s.Cert, s.Key))
	}
	return opts, nil
}

// LogValue is String: a Security in a log line shows no secret.
func (s Security) LogValue() slog.Value { return slog.StringValue(s.String()) }

// String describes s for a log line, without secrets; fmt uses it for a
// Security inside a printed configuration too.
func (s Security) String() string {
	out := "none"
	switch {
	case s.Creds != "":
		out = "creds " + s.Creds
	case s.NKey != "":
		out = "nkey " + s.NKey
	case s.User != "":
		out = "user " + s.User
	}
	if s.CA != "" || s.Cert != "" {
		out += ", TLS"
	}
	return out
}
