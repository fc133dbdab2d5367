package certcheck

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RevocationState is the outcome of a revocation check.
type RevocationState int

// Revocation states.
const (
	// NotChecked: no source is configured for the issuer.
	NotChecked RevocationState = iota
	// Good: a fresh, verified CRL or OCSP response does not list it.
	Good
	// Revoked: listed with a revocation date not after the time of use.
	Revoked
	// Unknown: a source is configured but gave no usable answer.
	Unknown
)

// String names the state for reports.
func (s RevocationState) String() string {
	switch s {
	case NotChecked:
		return "not checked"
	case Good:
		return "good"
	case Revoked:
		return "revoked"
	case Unknown:
		return "unknown"
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// RevocationStatus is the revocation status of one certificate.
type RevocationStatus struct {
	State RevocationState
	// Source names where the answer came from (CRL source, with the
	// delta CRL after a "+", or OCSP responder).
	Source string
	// ThisUpdate and NextUpdate of the CRL or OCSP response used.
	ThisUpdate, NextUpdate time.Time
	// CRLNumber of the base CRL, and of the delta if one was applied.
	CRLNumber, DeltaNumber string
	// RevokedAt and Reason are set when State is Revoked (and for an
	// entry revoked only after the time of use, which stays Good).
	RevokedAt time.Time
	Reason    Reason
	// Err says why the state is Unknown.
	Err error
}

type cachedCRL struct {
	crl     *CRL
	fetched time.Time
}

// checkRevocation fills chain.Revocation and applies the policy.
func (c *Checker) checkRevocation(ctx context.Context, chain Chain, at time.Time) (Chain, error) {
	certs := chain.Certificates
	chain.Revocation = make([]RevocationStatus, len(certs)-1)
	var firstErr error
	for i := 0; i+1 < len(certs); i++ {
		st := c.status(ctx, certs[i], certs[i+1], at)
		chain.Revocation[i] = st
		subject := nameString(certs[i].Subject)
		switch st.State {
		case Revoked:
			if firstErr == nil {
				firstErr = &RevokedError{Subject: subject, Serial: certs[i].SerialNumber, RevokedAt: st.RevokedAt, Reason: st.Reason, Source: st.Source}
			}
		case Unknown:
			if c.policy == PolicyWarn {
				chain.Warnings = append(chain.Warnings, fmt.Sprintf("revocation status of %q unknown: %v", subject, st.Err))
			} else if firstErr == nil {
				firstErr = &ChainError{Subject: subject, Err: fmt.Errorf("%w: %w", ErrRevocationUnknown, st.Err)}
			}
		}
	}
	return chain, firstErr
}

func (c *Checker) configFor(issuer *x509.Certificate) (RevocationConfig, bool) {
	for _, r := range c.revocation {
		if r.Issuer.Equal(issuer) {
			return r, true
		}
	}
	return RevocationConfig{}, false
}

// status finds the revocation status of cert, issued by issuer, at at:
// OCSP first where configured and the key is not GOST, then the CRL.
func (c *Checker) status(ctx context.Context, cert, issuer *x509.Certificate, at time.Time) RevocationStatus {
	cfg, ok := c.configFor(issuer)
	if !ok || (cfg.CRL == nil && cfg.OCSP == "") {
		return RevocationStatus{State: NotChecked}
	}
	var ocspErr error
	if cfg.OCSP != "" && cert.PublicKeyAlgorithm != x509.UnknownPublicKeyAlgorithm {
		st := c.ocspStatus(ctx, cfg.OCSP, cert, issuer, at)
		if st.State != Unknown {
			return st
		}
		ocspErr = st.Err
	}
	if cfg.CRL == nil {
		if ocspErr == nil {
			ocspErr = errNoSource
		}
		return RevocationStatus{State: Unknown, Source: "ocsp:" + cfg.OCSP, Err: ocspErr}
	}
	st := c.crlStatus(ctx, cfg, cert, issuer, at)
	if st.State == Unknown && ocspErr != nil {
		st.Err = errors.Join(st.Err, ocspErr)
	}
	return st
}

func (c *Checker) crlStatus(ctx context.Context, cfg RevocationConfig, cert, issuer *x509.Certificate, at time.Time) RevocationStatus {
	st := RevocationStatus{State: Unknown, Source: cfg.CRL.String()}
	base, err := c.fetchCRL(ctx, cfg.CRL, issuer, false)
	if err != nil {
		st.Err = err
		return st
	}
	st.ThisUpdate, st.NextUpdate = base.ThisUpdate, base.NextUpdate
	if base.Number != nil {
		st.CRLNumber = base.Number.String()
	}
	entry, listed := base.Lookup(cert.SerialNumber)
	if cfg.DeltaCRL != nil {
		st.Source += " + " + cfg.DeltaCRL.String()
		delta, err := c.fetchCRL(ctx, cfg.DeltaCRL, issuer, true)
		if err != nil {
			st.Err = fmt.Errorf("delta CRL: %w", err)
			return st
		}
		if base.Number == nil || delta.BaseNumber.Cmp(base.Number) > 0 {
			st.Err = fmt.Errorf("delta CRL needs base CRL %s, have %s", delta.BaseNumber, st.CRLNumber)
			return st
		}
		st.DeltaNumber = fmt.Sprint(delta.Number)
		st.ThisUpdate, st.NextUpdate = delta.ThisUpdate, delta.NextUpdate
		if e, ok := delta.Lookup(cert.SerialNumber); ok {
			entry, listed = e, e.Reason != ReasonRemoveFromCRL
		}
	}
	st.State = Good
	if listed {
		st.RevokedAt, st.Reason = entry.RevokedAt, entry.Reason
		if !entry.RevokedAt.After(at) {
			st.State = Revoked
		}
	}
	return st
}

// fetchCRL returns a verified, fresh CRL of issuer from src, from the
// cache while the cached copy is before its nextUpdate.
func (c *Checker) fetchCRL(ctx context.Context, src Source, issuer *x509.Certificate, delta bool) (*CRL, error) {
	key := src.String() + "\x00" + string(issuer.Raw)
	now := c.clock()
	c.mu.Lock()
	cached := c.cache[key]
	c.mu.Unlock()
	if cached != nil && fresh(cached, now, c.maxAge) {
		return cached.crl, nil
	}
	crl, err := c.loadCRL(ctx, src, issuer, delta)
	if err != nil {
		if cached != nil && !stale(cached.crl, now) {
			// The refresh failed but the copy we have is still within
			// its nextUpdate (only possible for CRLs without one, past
			// MaxCRLAge): keep using it.
			return cached.crl, nil
		}
		return nil, err
	}
	if cached != nil && cached.crl.Number != nil && crl.Number != nil && crl.Number.Cmp(cached.crl.Number) < 0 {
		return nil, fmt.Errorf("%s: CRL number %s is older than %s already seen", src, crl.Number, cached.crl.Number)
	}
	if stale(crl, now) {
		return nil, fmt.Errorf("%s: CRL is stale: nextUpdate %s, now %s", src, crl.NextUpdate.UTC().Format(timeLayout), now.UTC().Format(timeLayout))
	}
	c.mu.Lock()
	c.cache[key] = &cachedCRL{crl: crl, fetched: now}
	c.mu.Unlock()
	return crl, nil
}

func fresh(e *cachedCRL, now time.Time, maxAge time.Duration) bool {
	if e.crl.NextUpdate.IsZero() {
		return now.Before(e.fetched.Add(maxAge))
	}
	return now.Before(e.crl.NextUpdate)
}

func stale(crl *CRL, now time.Time) bool {
	return !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate)
}

func (c *Checker) loadCRL(ctx context.Context, src Source, issuer *x509.Certificate, delta bool) (*CRL, error) {
	der, err := src.Fetch(ctx)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(bytes.TrimSpace(der), []byte("-----BEGIN")) {
		return nil, fmt.Errorf("%s: PEM CRL: %w (DER expected)", src, ErrUnsupported)
	}
	crl, err := ParseCRL(der)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	if crl.IsDelta() != delta {
		want := "a full CRL"
		if delta {
			want = "a delta CRL"
		}
		return nil, fmt.Errorf("%s: not %s: %w", src, want, ErrMalformedCRL)
	}
	return crl, nil
}

// describe renders a status for reports.
func (s RevocationStatus) describe() string {
	var b strings.Builder
	b.WriteString(s.State.String())
	switch s.State {
	case Revoked:
		fmt.Fprintf(&b, " since %s (%s)", s.RevokedAt.UTC().Format(timeLayout), s.Reason)
	case Good:
		if !s.RevokedAt.IsZero() {
			fmt.Fprintf(&b, " at that time (revoked later, %s, %s)", s.RevokedAt.UTC().Format(timeLayout), s.Reason)
		}
	case Unknown:
		if s.Err != nil {
			fmt.Fprintf(&b, ": %v", s.Err)
		}
	}
	if s.Source != "" {
		fmt.Fprintf(&b, " [%s", s.Source)
		if s.CRLNumber != "" {
			fmt.Fprintf(&b, ", CRL #%s", s.CRLNumber)
		}
		if s.DeltaNumber != "" {
			fmt.Fprintf(&b, ", delta #%s", s.DeltaNumber)
		}
		if !s.NextUpdate.IsZero() {
			fmt.Fprintf(&b, ", next update %s", s.NextUpdate.UTC().Format(timeLayout))
		}
		b.WriteString("]")
	}
	return b.String()
}
