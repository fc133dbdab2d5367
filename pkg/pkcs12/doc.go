// Package pkcs12 reads PKCS#12 (PFX) key containers as written by the NCA RK
// Kalkan library and by OpenSSL, in pure Go.
//
// Kalkan containers use BER with indefinite lengths inside the authSafe,
// a SHA-1 MAC, a pbeWithSHA1And3-KeyTripleDES-CBC key bag and a
// pbeWithSHA1And40BitRC2-CBC certificate bag; their private keys are GOST
// keys that Go's crypto/x509 cannot represent. Neither Go PKCS#12 library
// opens them, hence this reader. It also understands the PBES2
// (PBKDF2 + AES-CBC) and PBMAC1 protection that current OpenSSL and
// go-pkcs12 write, so containers re-exported by those tools keep working.
//
// GOST private keys are returned as raw data ([GOSTKey]) so that this
// package does not depend on a GOST curve implementation; RSA and ECDSA keys
// come back as the usual crypto/rsa and crypto/ecdsa types.
//
// Every input is treated as hostile: BER normalisation is bounded in depth
// and size, KDF iteration counts are capped, and malformed data yields an
// error matching [ErrMalformed] rather than a panic.
package pkcs12
