package xmldsig

import (
	"context"
	"crypto/x509"
)

// Signer produces an XML signature value with one private key.
//
// Sign receives the canonical bytes of a SignedInfo element and returns the
// raw signature value in the byte layout the algorithm prescribes (PKCS #1
// v1.5 for RSA; r‖s little-endian for NCA GOST). The signer hashes the
// message itself, because GOST signers reduce the digest in their own byte
// order. The context exists for signers that live behind I/O (an HSM, a
// remote token); in-memory signers ignore it.
type Signer interface {
	// Certificate is the certificate of the signing key, embedded in KeyInfo.
	Certificate() *x509.Certificate
	// Algorithm names the signature and digest methods this key signs with.
	Algorithm() Algorithm
	// Sign signs msg and returns the signature value.
	Sign(ctx context.Context, msg []byte) ([]byte, error)
}
