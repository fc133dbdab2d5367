package auth

import "errors"

var (
	// ErrNoCredentials means a request carried neither a bearer token nor
	// a verified client certificate.
	ErrNoCredentials = errors.New("missing bearer token")
	// ErrBadToken means a token is not in the tokens file.
	ErrBadToken = errors.New("unknown token")
	// ErrRevoked means a token or certificate name was revoked.
	ErrRevoked = errors.New("token revoked")
	// ErrUnknownClient means a verified client certificate's CN names no
	// entry of the tokens file.
	ErrUnknownClient = errors.New("client certificate names no token entry")
	// ErrOutOfScope means a principal may not act for a taxpayer.
	ErrOutOfScope = errors.New("taxpayer outside the token's scope")
	// ErrTokensFile means the tokens file cannot be read or parsed; the
	// API then refuses everyone rather than trust an older copy.
	ErrTokensFile = errors.New("tokens file unusable")
	// ErrExists means a token name is taken.
	ErrExists = errors.New("token name exists")
	// ErrNoSuchName means no token has that name.
	ErrNoSuchName = errors.New("no token of that name")
	// ErrBadScope means a scope is neither "all" nor a list of 12-digit
	// IIN/BIN.
	ErrBadScope = errors.New("invalid taxpayer scope")
	// ErrBadName means a token name is empty or has characters that do
	// not fit a certificate CN or a log line.
	ErrBadName = errors.New("invalid token name")
)

// ScopeError is a principal acting outside its scope.
type ScopeError struct {
	Name     string // the principal
	Taxpayer string
}

func (e *ScopeError) Error() string {
	return "token " + e.Name + " may not act for taxpayer " + e.Taxpayer
}

// Is makes a ScopeError match ErrOutOfScope.
func (e *ScopeError) Is(target error) bool { return target == ErrOutOfScope }

// ErrTLSConfig means the API's TLS files are missing or inconsistent.
var ErrTLSConfig = errors.New("API TLS configuration")
