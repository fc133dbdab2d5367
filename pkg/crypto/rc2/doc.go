// Package rc2 implements the RC2 block cipher (RFC 2268) with an explicit
// effective key length.
//
// It exists to read NCA RK PKCS#12 containers, whose certificate bags are
// encrypted with pbeWithSHA1And40BitRC2-CBC (5-byte key, 40 effective bits).
// RC2 is weak and must not be used to protect new data.
package rc2
