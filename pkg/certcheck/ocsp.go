package certcheck

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/crypto/ocsp"
)

// maxOCSPResponse bounds an OCSP response body.
const maxOCSPResponse = 1 << 20

// ocspSkew tolerates responder clocks slightly ahead of ours.
const ocspSkew = 5 * time.Minute

// ocspStatus asks the responder at url about cert (RSA or ECDSA; GOST
// OCSP is not implemented). Any failure gives Unknown with the reason, so
// the caller can fall back to the CRL.
func (c *Checker) ocspStatus(ctx context.Context, url string, cert, issuer *x509.Certificate, at time.Time) RevocationStatus {
	st := RevocationStatus{State: Unknown, Source: "ocsp:" + url}
	req, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: crypto.SHA256})
	if err != nil {
		st.Err = fmt.Errorf("OCSP request: %w", err)
		return st
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultFetchTimeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req))
	if err != nil {
		st.Err = fmt.Errorf("OCSP: %w", err)
		return st
	}
	hreq.Header.Set("Content-Type", "application/ocsp-request")
	resp, err := c.client.Do(hreq)
	if err != nil {
		st.Err = fmt.Errorf("OCSP: %w", err)
		return st
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		st.Err = fmt.Errorf("OCSP %s: %s", url, resp.Status)
		return st
	}
	body, err := readLimited(resp.Body, maxOCSPResponse, url)
	if err != nil {
		st.Err = err
		return st
	}
	// ParseResponseForCert checks the responder's signature: the issuer
	// itself or a delegated responder certificate it issued for OCSP
	// signing.
	r, err := ocsp.ParseResponseForCert(body, cert, issuer)
	if err != nil {
		st.Err = fmt.Errorf("OCSP response: %w", err)
		return st
	}
	now := c.clock()
	if r.ThisUpdate.After(now.Add(ocspSkew)) || (!r.NextUpdate.IsZero() && now.After(r.NextUpdate)) {
		st.Err = fmt.Errorf("OCSP response not current: thisUpdate %s, nextUpdate %s", r.ThisUpdate.UTC().Format(timeLayout), r.NextUpdate.UTC().Format(timeLayout))
		return st
	}
	st.ThisUpdate, st.NextUpdate = r.ThisUpdate, r.NextUpdate
	switch r.Status {
	case ocsp.Good:
		st.State = Good
	case ocsp.Revoked:
		st.RevokedAt, st.Reason = r.RevokedAt, Reason(r.RevocationReason)
		st.State = Good
		if !r.RevokedAt.After(at) {
			st.State = Revoked
		}
	default:
		st.Err = fmt.Errorf("OCSP responder does not know the certificate")
	}
	return st
}
