// Package gost341194 implements the GOST R 34.11-94 hash function with the
// "test" parameter set (id-GostR3411-94-TestParamSet, RFC 5831 §7.3.1) in
// pure Go.
//
// Kazakhstan's GOST 34.311-95, used by NCA RK GOST 34.310-2004 keys and in
// the http://www.w3.org/2001/04/xmldsig-more#gost34311 XMLDSig digest, is
// this function. The CryptoPro parameter set is deliberately not offered:
// a digest with the wrong S-boxes would silently never verify.
//
// Digests are returned in the algorithm's internal little-endian byte
// order. That is the order XMLDSig DigestValue carries (checked against a
// real NCA-signed request), the order OpenSSL's gost engine prints for
// md_gost94, and the order of the hexadecimal test vectors commonly
// published for this function. The gostsum tool prints the same bytes
// reversed; do not copy its output into a DigestValue.
package gost341194
