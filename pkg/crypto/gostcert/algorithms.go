package gostcert

import (
	"hash"

	"github.com/salyq/salyq/pkg/crypto/gost341194"
	"github.com/salyq/salyq/pkg/crypto/streebog"
)

// Kind names a GOST key generation.
type Kind int

// The GOST key kinds NCA RK issues.
const (
	// GOST2004 is GOST 34.310-2004: GOST R 34.10-2001 on CryptoPro-A with
	// GOST R 34.11-94 (test S-boxes).
	GOST2004 Kind = iota + 1
	// GOST2015_256 is GOST 34.10-2015 with a 256-bit key and Streebog-256.
	GOST2015_256
	// GOST2015_512 is GOST 34.10-2015 with a 512-bit key and Streebog-512.
	GOST2015_512
)

// kindInfo is the closed table of key and signature algorithm OIDs.
var kindInfo = []struct {
	kind    Kind
	name    string
	keyOIDs []string
	sigOIDs []string
	newHash func() hash.Hash
}{
	{GOST2004, "GOST 34.310-2004", []string{"1.2.398.3.10.1.1.1.1", "1.2.643.2.2.19"}, []string{"1.2.398.3.10.1.1.1.2", "1.2.643.2.2.3"}, gost341194.New},
	{GOST2015_256, "GOST 34.10-2015 256", []string{"1.2.398.3.10.1.1.2.1", "1.2.643.7.1.1.1.1"}, []string{"1.2.398.3.10.1.1.2.3.1", "1.2.643.7.1.1.3.2"}, streebog.New256},
	{GOST2015_512, "GOST 34.10-2015 512", []string{"1.2.398.3.10.1.1.2.2", "1.2.643.7.1.1.1.2"}, []string{"1.2.398.3.10.1.1.2.3.2", "1.2.643.7.1.1.3.3"}, streebog.New512},
}

// String names the kind.
func (k Kind) String() string {
	for _, i := range kindInfo {
		if i.kind == k {
			return i.name
		}
	}
	return "unknown GOST"
}

// NewHash returns the hash the kind signs with.
func (k Kind) NewHash() hash.Hash {
	for _, i := range kindInfo {
		if i.kind == k {
			return i.newHash()
		}
	}
	return nil
}

// KindOfKey maps a public key algorithm OID to its kind.
func KindOfKey(oid string) (Kind, bool) {
	for _, i := range kindInfo {
		for _, o := range i.keyOIDs {
			if o == oid {
				return i.kind, true
			}
		}
	}
	return 0, false
}

// KindOfSignature maps a signature algorithm OID to its kind.
func KindOfSignature(oid string) (Kind, bool) {
	for _, i := range kindInfo {
		for _, o := range i.sigOIDs {
			if o == oid {
				return i.kind, true
			}
		}
	}
	return 0, false
}
