package testkit

import (
	"time"

	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/ncakey"
)

// Keys is the test PKI of a worker's or a poller's world: one taxpayer's
// signing key, the organisation's transport key, and the gateway's
// certificate (on the transport's private key, to save a key generation).
type Keys struct {
	PKI                          *ncatest.PKI
	Taxpayer, Transport, Gateway *ncatest.Issued
}

// MustKeys hands out the Keys, made once per test binary: RSA key
// generation is slow.
var MustKeys = testenv.Lazy(func() (*Keys, error) {
	pki, err := ncatest.New(ncatest.Options{})
	if err != nil {
		return nil, err
	}
	k := &Keys{PKI: pki}
	if k.Taxpayer, err = pki.Issue(ncatest.Request{Role: ncakey.RoleIndividual, Usage: ncakey.UsageSign}); err != nil {
		return nil, err
	}
	if k.Transport, err = pki.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem}); err != nil {
		return nil, err
	}
	if k.Gateway, err = pki.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem, Surname: "ШЛЮЗ", Key: k.Transport.PrivateKey()}); err != nil {
		return nil, err
	}
	return k, nil
})

// KeySource hands out taxpayers' keys by IIN/BIN, as a keystore would
// (ncakey.Candidates).
type KeySource map[string]*ncakey.Key

// TaxpayerKeys returns the key of id, or a NoKeyError.
func (ks KeySource) TaxpayerKeys(id string, _ time.Time) ([]*ncakey.Key, error) {
	if k, ok := ks[id]; ok {
		return []*ncakey.Key{k}, nil
	}
	return nil, &ncakey.NoKeyError{ID: id}
}
