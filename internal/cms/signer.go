package cms

import (
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"time"
)

// Signer is what Verify proved about one SignerInfo.
type Signer struct {
	// Certificate is the embedded certificate whose key made the signature.
	// It is not chain- or revocation-checked here.
	Certificate *x509.Certificate
	// DigestAlgorithm hashed the content (and the signed attributes).
	DigestAlgorithm DigestAlgorithm
	// SignatureAlgorithm is the signatureAlgorithm OID as written.
	SignatureAlgorithm asn1.ObjectIdentifier
	// SigningTime is the signed signingTime attribute; zero when absent.
	// It is the signer's own claim; Timestamp.GenTime is the TSA's.
	SigningTime time.Time
	// Timestamp is the verified RFC 3161 token over the signature value;
	// nil when the SignerInfo carries none.
	Timestamp *Timestamp
}

// Timestamp is a verified RFC 3161 timestamp token.
type Timestamp struct {
	// Signer is the TSA's SignerInfo as verified (its Timestamp is nil).
	Signer Signer
	// GenTime is the time the TSA attests.
	GenTime time.Time
	// Policy is the TSA policy OID.
	Policy asn1.ObjectIdentifier
	// SerialNumber is the token's serial number.
	SerialNumber *big.Int
	// ImprintAlgorithm hashed the outer signature value.
	ImprintAlgorithm DigestAlgorithm
	// Certificates are those embedded in the token, for chain checking.
	Certificates []*x509.Certificate
}
