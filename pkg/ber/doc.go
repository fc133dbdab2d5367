// Package ber rewrites BER-encoded ASN.1 into DER.
//
// NCA RK's Kalkan library and the NCA key tools write PKCS#12 containers
// and CMS SignedData in BER: constructed elements with indefinite lengths,
// non-minimal length octets, and OCTET STRINGs chunked into constructed
// strings. Go's encoding/asn1 and golang.org/x/crypto/cryptobyte read only
// DER, so pkcs12 and cms pass their input through [ToDER] first.
//
// Only what those parsers need is normalised: lengths become definite and
// minimal, and constructed OCTET STRINGs and character strings become
// primitive. Other BER liberties (unsorted SET OF, non-canonical BOOLEANs,
// constructed BIT STRINGs or times) are left for the parser to refuse. A DER
// input comes back byte-identical, which keeps signed bytes intact.
//
// Every input is treated as hostile: size and nesting are bounded by
// [Limits], time and memory are linear in the input, and bad input yields a
// [*SyntaxError], never a panic.
package ber
