package xmldsig

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"hash"
)

// Signature and digest method URIs of the algorithms NCA RK keys sign with
// (PROTOCOL.md §5).
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

// algorithms is the closed set of suites salyq verifies.
var algorithms = []Algorithm{RSASHA256}

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
