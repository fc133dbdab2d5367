package xmldsig

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"hash"

	"github.com/salyq/salyq/pkg/crypto/gost341194"
	"github.com/salyq/salyq/pkg/crypto/gostcert"
	"github.com/salyq/salyq/pkg/crypto/streebog"
)

// Signature and digest method URIs of the algorithms NCA RK keys sign with
// (docs/PROTOCOL.md §5).
const (
	SignatureRSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	DigestSHA256       = "http://www.w3.org/2001/04/xmlenc#sha256"

	SignatureGOST2004 = "http://www.w3.org/2001/04/xmldsig-more#gost34310-gost34311"
	DigestGOST94      = "http://www.w3.org/2001/04/xmldsig-more#gost34311"

	SignatureGOST2015512 = "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-512"
	DigestStreebog512    = "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34112015-512"

	SignatureGOST2015256 = "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-256"
	DigestStreebog256    = "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34112015-256"
)

// Algorithm is one signature suite: the signature method, the digest method
// used for references, and how to check a signature made with it.
type Algorithm struct {
	// Name is a short human name, used in errors and logs.
	Name string
	// SignatureURI is the SignatureMethod Algorithm.
	SignatureURI string
	// DigestURI is the DigestMethod Algorithm of the references.
	DigestURI string

	newHash func() hash.Hash
	// verify checks sig over msg with the public key of cert.
	verify func(cert *x509.Certificate, msg, sig []byte) error
}

// NewHash returns a fresh hash of the algorithm's digest method.
func (a Algorithm) NewHash() hash.Hash { return a.newHash() }

// RSASHA256 is RSA PKCS #1 v1.5 with SHA-256.
var RSASHA256 = Algorithm{
	Name:         "rsa-sha256",
	SignatureURI: SignatureRSASHA256,
	DigestURI:    DigestSHA256,
	newHash:      sha256.New,
	verify:       verifyRSASHA256,
}

// GOST2004 is GOST 34.310-2004 (GOST R 34.10-2001, CryptoPro-A) with
// GOST R 34.11-94: the operator's WS-Security profile.
var GOST2004 = Algorithm{
	Name:         "gost34310-2004",
	SignatureURI: SignatureGOST2004,
	DigestURI:    DigestGOST94,
	newHash:      gost341194.New,
	verify:       verifyGOST(gostcert.GOST2004),
}

// GOST2015512 is GOST 34.10-2015 with a 512-bit key and Streebog-512: the
// current NCA keys.
var GOST2015512 = Algorithm{
	Name:         "gost2015-512",
	SignatureURI: SignatureGOST2015512,
	DigestURI:    DigestStreebog512,
	newHash:      streebog.New512,
	verify:       verifyGOST(gostcert.GOST2015_512),
}

// GOST2015256 is GOST 34.10-2015 with a 256-bit key and Streebog-256.
var GOST2015256 = Algorithm{
	Name:         "gost2015-256",
	SignatureURI: SignatureGOST2015256,
	DigestURI:    DigestStreebog256,
	newHash:      streebog.New256,
	verify:       verifyGOST(gostcert.GOST2015_256),
}

// algorithms is the closed set of suites salyq verifies.
var algorithms = []Algorithm{RSASHA256, GOST2015512, GOST2015256, GOST2004}

// AlgorithmForGOST returns the suite a GOST key of kind signs with.
func AlgorithmForGOST(kind gostcert.Kind) (Algorithm, bool) {
	switch kind {
	case gostcert.GOST2004:
		return GOST2004, true
	case gostcert.GOST2015_512:
		return GOST2015512, true
	case gostcert.GOST2015_256:
		return GOST2015256, true
	}
	return Algorithm{}, false
}

func algorithmBySignature(uri string) (Algorithm, bool) {
	for _, a := range algorithms {
		if a.SignatureURI == uri {
			return a, true
		}
	}
	return Algorithm{}, false
}

func hashByDigest(uri string) (func() hash.Hash, bool) {
	for _, a := range algorithms {
		if a.DigestURI == uri {
			return a.newHash, true
		}
	}
	return nil, false
}

func verifyRSASHA256(cert *x509.Certificate, msg, sig []byte) error {
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("certificate key is %T, not RSA", cert.PublicKey)
	}
	sum := sha256.Sum256(msg)
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}

func verifyGOST(kind gostcert.Kind) func(cert *x509.Certificate, msg, sig []byte) error {
	return func(cert *x509.Certificate, msg, sig []byte) error {
		pub, err := gostcert.PublicKeyOf(cert)
		if err != nil {
			return err
		}
		if pub.Kind != kind {
			return fmt.Errorf("certificate key is %s, signature method is %s", pub.Kind, kind)
		}
		return pub.Verify(msg, sig)
	}
}
