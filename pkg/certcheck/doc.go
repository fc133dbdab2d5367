// Package certcheck decides whether an NCA RK certificate may be used:
// it builds the path to the configured NCA roots, checks every signature
// (GOST with the NCA conventions through pkg/crypto/gostcert, RSA, ECDSA
// and Ed25519 through crypto/x509), the validity of every certificate at
// a given time, the CA constraints of issuers, and revocation.
//
// crypto/x509.Verify cannot be used: it refuses GOST signatures, and its
// CRL parser refuses real NCA CRLs, whose inner and outer signature
// AlgorithmIdentifiers differ by a NULL parameter. ParseCRL tolerates
// exactly that difference and nothing else.
//
// Revocation is configured per issuer (RevocationConfig): a full CRL and
// an optional delta CRL from a file or a URL, or off. CRLs are verified
// with the issuer's key, cached per source until their nextUpdate (by an
// injectable clock), and a stale CRL is never used. A certificate is
// revoked when it is listed with a revocation date not after the time of
// use; a delta CRL's entries override the base CRL's, and removeFromCRL
// lifts a certificateHold. When a configured source gives no usable
// answer, PolicyFail (the default) refuses the certificate with
// ErrRevocationUnknown and PolicyWarn accepts it with a warning in
// Chain.Warnings. An issuer without a RevocationConfig is not checked and
// reported as such.
//
// OCSP (golang.org/x/crypto/ocsp) is asked first for RSA and ECDSA
// certificates when RevocationConfig.OCSP is set, with fallback to the
// CRL; GOST OCSP is not implemented (NCA's responder would need GOST
// request and response signatures), so GOST certificates use CRLs only.
// OCSP answers are not cached.
//
// Describe gathers what `salyq keys inspect` prints about a key.
package certcheck
