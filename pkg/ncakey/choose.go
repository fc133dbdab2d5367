package ncakey

import (
	"context"
	"crypto/x509"
	"time"
)

// Candidates lists the keys that may sign a taxpayer's documents at a
// time, best first; *Keystore is one. Callers take Candidates rather than
// a keystore, so that keys may come from elsewhere (an HSM, a remote
// signer) without changing them.
type Candidates interface {
	TaxpayerKeys(id string, at time.Time) ([]*Key, error)
}

var _ Candidates = (*Keystore)(nil)

// CertCheck refuses a certificate at a time for what a keystore cannot
// judge: its chain and its revocation (package certcheck does both).
type CertCheck func(ctx context.Context, cert *x509.Certificate, at time.Time) error

// Choose returns the best of taxpayer id's keys at time at that check
// accepts: a revoked key is passed over for the taxpayer's renewed one. A
// nil check accepts the best key. When check refuses every key, the
// error is a *RefusedError of the best one.
func Choose(ctx context.Context, keys Candidates, check CertCheck, id string, at time.Time) (*Key, error) {
	all, err := keys.TaxpayerKeys(id, at)
	if err != nil {
		return nil, err
	}
	if check == nil {
		return all[0], nil
	}
	var first error
	for _, k := range all {
		err := check(ctx, k.Certificate(), at)
		if err == nil {
			return k, nil
		}
		if first == nil {
			first = &RefusedError{Certificate: k.Certificate(), Err: err}
		}
	}
	return nil, first
}
