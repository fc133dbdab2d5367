package sonosim

import (
	"bytes"
	"context"
	"crypto/x509"
	"time"

	"github.com/salyq/salyq/pkg/certcheck"
	"github.com/salyq/salyq/pkg/envelope"
)

// newTrust builds the checker of every certificate the sandbox meets:
// self-signed certificates of trust are the anchors, the others may
// complete a path. Each CRL is read once here to find the CA among trust
// that signed it, so that a CRL nobody here issued is a start-up error
// rather than a silent "not checked"; the checker fetches it again as it
// goes stale.
func newTrust(ctx context.Context, trust []*x509.Certificate, crls []certcheck.Source, clock func() time.Time) (*certcheck.Checker, error) {
	opts := certcheck.Options{Clock: clock}
	for _, c := range trust {
		if bytes.Equal(c.RawSubject, c.RawIssuer) {
			opts.Roots = append(opts.Roots, c)
		} else {
			opts.Intermediates = append(opts.Intermediates, c)
		}
	}
	for _, src := range crls {
		issuer, err := crlIssuer(ctx, src, trust)
		if err != nil {
			return nil, err
		}
		opts.Revocation = append(opts.Revocation, certcheck.RevocationConfig{Issuer: issuer, CRL: src})
	}
	ch, err := certcheck.New(opts)
	if err != nil {
		return nil, configErr("Trust", "%v", err)
	}
	return ch, nil
}

// crlIssuer finds the certificate of trust whose key signed the CRL.
func crlIssuer(ctx context.Context, src certcheck.Source, trust []*x509.Certificate) (*x509.Certificate, error) {
	der, err := src.Fetch(ctx)
	if err != nil {
		return nil, configErr("CRLs", "%v", err)
	}
	crl, err := certcheck.ParseCRL(der)
	if err != nil {
		return nil, configErr("CRLs", "%s: %v", src, err)
	}
	for _, c := range trust {
		if bytes.Equal(c.RawSubject, crl.RawIssuer) && crl.CheckSignatureFrom(c) == nil {
			return c, nil
		}
	}
	return nil, configErr("CRLs", "%s: issued by %q, which is not among the trusted CA certificates", src, crl.Issuer.String())
}

// checkChain refuses a certificate that does not chain to the trust
// anchors at now or is revoked by a configured CRL. The real SONO checks
// the taxpayer's certificate this way (docs/PROTOCOL.md §5), not only the
// signature: a form signed by an unrelated PKI must not be filed.
func (s *Server) checkChain(ctx context.Context, cert *x509.Certificate, now time.Time) error {
	_, err := s.trust.VerifyContext(ctx, cert, nil, now)
	return err
}

// checkSignerChain is checkChain for the taxpayer's certificate, as an
// envelope.KeyError so that it is refused like any other key that may
// not sign (CodeFormSignature).
func (s *Server) checkSignerChain(ctx context.Context, cert *x509.Certificate, now time.Time) error {
	if err := s.checkChain(ctx, cert, now); err != nil {
		return &envelope.KeyError{Check: "trust", Err: err}
	}
	return nil
}
