package cms

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/asn1"
	"hash"

	"github.com/salyq/salyq/pkg/crypto/gost341194"
	"github.com/salyq/salyq/pkg/crypto/gostcert"
	"github.com/salyq/salyq/pkg/crypto/streebog"
)

// DigestAlgorithm identifies a hash function named in a SignedData.
type DigestAlgorithm struct {
	// OID is the identifier as it appeared in the structure.
	OID asn1.ObjectIdentifier
	// Name is a human-readable name, e.g. "Streebog-512".
	Name string

	kind    gostcert.Kind // the GOST key kind this hash pairs with; 0 for none
	newHash func() hash.Hash
}

// New returns a fresh hash.Hash for the algorithm. All GOST hashes write
// their output in the gost-engine byte order, which is how Kalkan stores
// messageDigest and messageImprint values.
func (d DigestAlgorithm) New() hash.Hash { return d.newHash() }

// digestAlgorithms maps dotted OIDs to hash functions. Kalkan names its
// hashes under 1.2.398.3.10.1.3; the TC26 Streebog OIDs are the same
// functions. 1.2.643.2.2.9 is deliberately absent: it is GOST R 34.11-94
// with the CryptoPro S-boxes, which NCA does not use. SHA-1 and SHA-256
// appear only because ESS certificate identifiers use them.
var digestAlgorithms = map[string]struct {
	name    string
	kind    gostcert.Kind
	newHash func() hash.Hash
}{
	"1.2.398.3.10.1.3.1":     {"GOST 34.311-95", gostcert.GOST2004, gost341194.New},
	"1.2.398.3.10.1.3.2":     {"Streebog-256", gostcert.GOST2015_256, streebog.New256},
	"1.2.398.3.10.1.3.3":     {"Streebog-512", gostcert.GOST2015_512, streebog.New512},
	"1.2.643.7.1.1.2.2":      {"Streebog-256", gostcert.GOST2015_256, streebog.New256},
	"1.2.643.7.1.1.2.3":      {"Streebog-512", gostcert.GOST2015_512, streebog.New512},
	"1.3.14.3.2.26":          {"SHA-1", 0, sha1.New},
	"2.16.840.1.101.3.4.2.1": {"SHA-256", 0, sha256.New},
}

// lookupDigest resolves a digest OID or names it in an UnsupportedError.
func lookupDigest(oid asn1.ObjectIdentifier) (DigestAlgorithm, error) {
	a, ok := digestAlgorithms[oid.String()]
	if !ok {
		return DigestAlgorithm{}, &UnsupportedError{What: "digest algorithm", OID: oid.String()}
	}
	return DigestAlgorithm{OID: oid, Name: a.name, kind: a.kind, newHash: a.newHash}, nil
}

// digest hashes data with the algorithm.
func (d DigestAlgorithm) digest(data []byte) []byte {
	h := d.newHash()
	h.Write(data)
	return h.Sum(nil)
}

// Object identifiers of the CMS and RFC 3161 structures handled here.
var (
	oidData               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidTSTInfo            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidAttrContentType    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidAttrTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidAttrSigningCert    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidAttrSigningCertV2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidSHA1               = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256             = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)
