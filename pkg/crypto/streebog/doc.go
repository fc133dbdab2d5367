// Package streebog implements the GOST R 34.11-2012 hash function
// ("Streebog", RFC 6986) with 512-bit and 256-bit outputs in pure Go.
//
// NCA RK GOST 2015 keys sign Streebog digests, and XMLDSig DigestValue
// elements carry them, so the byte order of a digest matters: this package
// returns digests exactly as the OpenSSL gost engine/provider
// (`openssl dgst -md_gost12_512`) and gost12sum print them. That is the
// internal little-endian byte order of the algorithm, i.e. the reverse of the
// big-endian integers RFC 6986 prints in its examples.
//
// The compression function uses eight precomputed 256-entry tables that
// fuse the S (substitution), P (transposition) and L (linear) steps, which
// is what makes hashing of 20 KB forms and CA certificates cheap.
package streebog
