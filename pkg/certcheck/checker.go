package certcheck

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Policy says what Verify does when revocation status is configured for
// an issuer but cannot be determined.
type Policy int

const (
	// PolicyFail refuses the certificate with ErrRevocationUnknown. It is
	// the zero value and the production default: a key that may be
	// revoked must not sign a tax form.
	PolicyFail Policy = iota
	// PolicyWarn accepts the certificate and records a warning in
	// Chain.Warnings (for offline use and test environments).
	PolicyWarn
)

// RevocationConfig names the revocation sources for the certificates one
// CA issues. A nil CRL and empty OCSP mean revocation is off for that
// issuer: the chain's status says "not checked" and the policy does not
// apply.
type RevocationConfig struct {
	// Issuer is the CA certificate whose CRL this is.
	Issuer *x509.Certificate
	// CRL is the full (base) CRL source.
	CRL Source
	// DeltaCRL, if set, is applied on top of the base CRL.
	DeltaCRL Source
	// OCSP is a responder URL asked first for RSA and ECDSA
	// certificates; GOST certificates always use the CRL.
	OCSP string
}

// Options configure a Checker.
type Options struct {
	// Roots are the trust anchors (NCA root CAs).
	Roots []*x509.Certificate
	// Intermediates are CA certificates that may complete a path.
	Intermediates []*x509.Certificate
	// Revocation lists the sources per issuer.
	Revocation []RevocationConfig
	// Policy for undeterminable revocation status.
	Policy Policy
	// Clock gives the current time for CRL caching and freshness; nil
	// means time.Now. It is separate from the time a certificate is
	// checked at, which callers pass to Verify.
	Clock func() time.Time
	// HTTPClient is used for OCSP; nil means http.DefaultClient.
	HTTPClient *http.Client
	// MaxCRLAge bounds how long a CRL without nextUpdate is cached;
	// zero means one hour.
	MaxCRLAge time.Duration
}

// Checker verifies certificates against configured NCA roots and
// revocation sources. It is safe for concurrent use.
type Checker struct {
	roots, inter *Pool
	revocation   []RevocationConfig
	policy       Policy
	clock        func() time.Time
	client       *http.Client
	maxAge       time.Duration

	mu    sync.Mutex
	cache map[string]*cachedCRL
}

// New makes a Checker. At least one root is required.
func New(opts Options) (*Checker, error) {
	if len(opts.Roots) == 0 {
		return nil, fmt.Errorf("certcheck: no trust anchors: %w", ErrNoCertificates)
	}
	for i, r := range opts.Revocation {
		if r.Issuer == nil {
			return nil, fmt.Errorf("certcheck: revocation config %d has no issuer", i)
		}
	}
	c := &Checker{
		roots:      NewPool(opts.Roots...),
		inter:      NewPool(opts.Intermediates...),
		revocation: append([]RevocationConfig(nil), opts.Revocation...),
		policy:     opts.Policy,
		clock:      opts.Clock,
		client:     opts.HTTPClient,
		maxAge:     opts.MaxCRLAge,
		cache:      map[string]*cachedCRL{},
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.client == nil {
		c.client = http.DefaultClient
	}
	if c.maxAge <= 0 {
		c.maxAge = time.Hour
	}
	return c, nil
}

// Chain is a verified certification path.
type Chain struct {
	// Certificates from the leaf to the trust anchor.
	Certificates []*x509.Certificate
	// Revocation holds the status of each certificate but the anchor,
	// in the same order (len(Certificates)-1 entries).
	Revocation []RevocationStatus
	// Warnings are accepted problems (revocation unknown under
	// PolicyWarn).
	Warnings []string
}

// Leaf is the verified certificate.
func (c Chain) Leaf() *x509.Certificate {
	if len(c.Certificates) == 0 {
		return nil
	}
	return c.Certificates[0]
}

// Anchor is the trust anchor the chain ends at.
func (c Chain) Anchor() *x509.Certificate {
	if len(c.Certificates) == 0 {
		return nil
	}
	return c.Certificates[len(c.Certificates)-1]
}

// Verify builds and checks the path from cert to a trust anchor at time
// at; see VerifyContext.
func (c *Checker) Verify(cert *x509.Certificate, at time.Time) (Chain, error) {
	return c.VerifyContext(context.Background(), cert, nil, at)
}

// maxDepth bounds path length: NCA paths are leaf, CA, root.
const maxDepth = 8

// VerifyContext builds a path from cert to a configured root, with extra
// as further intermediates (the CA certificates stored with a key;
// never trusted as anchors), and checks every signature, the CA
// constraints of issuers, the validity of every certificate at time at,
// and revocation of every certificate but the anchor. A certificate is
// revoked when its revocation date is not after at. On a revocation
// error the returned Chain is filled so that callers can report it.
func (c *Checker) VerifyContext(ctx context.Context, cert *x509.Certificate, extra []*x509.Certificate, at time.Time) (Chain, error) {
	if cert == nil {
		return Chain{}, fmt.Errorf("certcheck: nil certificate: %w", ErrUntrusted)
	}
	extraPool := NewPool(extra...)
	var paths [][]*x509.Certificate
	var firstErr error
	c.build(cert, extraPool, []*x509.Certificate{cert}, &paths, &firstErr)
	if len(paths) == 0 {
		if firstErr == nil {
			firstErr = &ChainError{Subject: nameString(cert.Issuer), Err: fmt.Errorf("issuer not found: %w", ErrUntrusted)}
		}
		return Chain{}, firstErr
	}
	// Prefer a path whose certificates are all valid at at; otherwise
	// report the validity problem of the first path.
	var validityErr error
	var path []*x509.Certificate
	for _, p := range paths {
		if err := checkValidity(p, at); err != nil {
			if validityErr == nil {
				validityErr = err
			}
			continue
		}
		path = p
		break
	}
	if path == nil {
		return Chain{Certificates: paths[0]}, validityErr
	}
	chain := Chain{Certificates: path}
	return c.checkRevocation(ctx, chain, at)
}

// build extends path (ending at its last certificate) towards a root by
// depth-first search, collecting every complete path whose signatures
// and CA constraints hold. The first failure is kept for the report
// when no path completes.
func (c *Checker) build(cert *x509.Certificate, extra *Pool, path []*x509.Certificate, out *[][]*x509.Certificate, firstErr *error) {
	last := path[len(path)-1]
	if c.roots.contains(last) {
		*out = append(*out, append([]*x509.Certificate(nil), path...))
		return
	}
	if len(path) > maxDepth || len(*out) >= 4 {
		return
	}
	var cands []*x509.Certificate
	cands = append(cands, c.roots.issuersOf(last)...)
	cands = append(cands, c.inter.issuersOf(last)...)
	cands = append(cands, extra.issuersOf(last)...)
	seen := map[string]bool{}
	for _, cand := range cands {
		if seen[string(cand.Raw)] || inPath(path, cand) {
			continue
		}
		seen[string(cand.Raw)] = true
		if err := checkIssuer(path, cand); err != nil {
			if *firstErr == nil {
				*firstErr = err
			}
			continue
		}
		if err := checkCertSignature(last, cand); err != nil {
			if *firstErr == nil {
				*firstErr = &ChainError{Subject: nameString(last.Subject), Err: err}
			}
			continue
		}
		c.build(cert, extra, append(path, cand), out, firstErr)
	}
}

func inPath(path []*x509.Certificate, c *x509.Certificate) bool {
	for _, p := range path {
		if p.Equal(c) {
			return true
		}
	}
	return false
}

// checkIssuer checks that issuer may issue the next certificate of path:
// a CA per basic constraints (v1 certificates have none and are refused
// as issuers, as crypto/x509 does), with keyCertSign when key usage is
// present, and within its path length constraint.
func checkIssuer(path []*x509.Certificate, issuer *x509.Certificate) error {
	name := nameString(issuer.Subject)
	if !issuer.BasicConstraintsValid || !issuer.IsCA {
		return &ChainError{Subject: name, Err: fmt.Errorf("no CA basic constraint: %w", ErrNotCA)}
	}
	if issuer.KeyUsage != 0 && issuer.KeyUsage&x509.KeyUsageCertSign == 0 {
		return &ChainError{Subject: name, Err: fmt.Errorf("no keyCertSign usage: %w", ErrNotCA)}
	}
	if issuer.MaxPathLen > 0 || issuer.MaxPathLenZero {
		// CAs below issuer in the path, not counting self-issued ones.
		n := 0
		for _, p := range path[1:] {
			if !selfIssued(p) {
				n++
			}
		}
		if n > issuer.MaxPathLen {
			return &ChainError{Subject: name, Err: fmt.Errorf("path length %d exceeds %d: %w", n, issuer.MaxPathLen, ErrNotCA)}
		}
	}
	return nil
}

func selfIssued(c *x509.Certificate) bool {
	return string(c.RawIssuer) == string(c.RawSubject)
}

// checkValidity checks every certificate of the path at time at.
func checkValidity(path []*x509.Certificate, at time.Time) error {
	for _, p := range path {
		var err error
		switch {
		case at.Before(p.NotBefore):
			err = ErrNotYetValid
		case at.After(p.NotAfter):
			err = ErrExpired
		default:
			continue
		}
		return &ValidityError{Subject: nameString(p.Subject), Serial: p.SerialNumber, At: at, NotBefore: p.NotBefore, NotAfter: p.NotAfter, Err: err}
	}
	return nil
}

// Policy returns the checker's policy for unknown revocation status.
func (c *Checker) Policy() Policy { return c.policy }

// Roots returns the trust anchors.
func (c *Checker) Roots() []*x509.Certificate { return c.roots.Certificates() }
