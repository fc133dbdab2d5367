package ncatest

import (
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"time"
)

// CRL issues a CRL of the root, valid from thisUpdate to nextUpdate,
// listing revoked as revoked at thisUpdate. The sandbox and salyq read
// CRLs as NCA publishes them: DER files.
func (p *PKI) CRL(thisUpdate, nextUpdate time.Time, revoked ...*x509.Certificate) ([]byte, error) {
	tmpl := &x509.RevocationList{
		Number:     big.NewInt(thisUpdate.Unix()),
		ThisUpdate: thisUpdate,
		NextUpdate: nextUpdate,
	}
	for _, c := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries,
			x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: thisUpdate})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, p.root, p.rootKey)
	if err != nil {
		return nil, fmt.Errorf("ncatest: CRL: %w", err)
	}
	return der, nil
}
