// Package gostcert reads NCA RK GOST keys from X.509 structures and checks
// GOST signatures made over them: certificate and CRL signatures, and the
// public key an XML signature is verified with.
//
// crypto/x509 parses NCA GOST certificates but leaves PublicKey nil and
// cannot check their signatures; this package fills that gap with
// pkg/crypto/gost3410 and the NCA byte conventions (docs/PROTOCOL.md §5): the
// public key is OCTET STRING(x_LE‖y_LE) inside the SubjectPublicKeyInfo
// BIT STRING, a signature is r_LE‖s_LE, and the digest is read as a
// little-endian integer.
package gostcert
