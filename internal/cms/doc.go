// Package cms verifies CMS SignedData (RFC 5652) as NCA RK's Kalkan library
// produces it: GOST signers (34.310-2004, 34.10-2015 256/512) with signed
// attributes, embedded or detached content, and an RFC 3161 timestamp token
// in the signer's unsigned attributes.
//
// Parse accepts DER and BER (package ber normalises indefinite lengths and
// constructed strings first); Verify checks every SignerInfo and every
// timestamp token it carries and reports who signed and when. Whether the
// signer certificates chain to a trusted NCA root, and whether they were
// valid and unrevoked at the signing time, is the caller's decision (see
// certcheck): this package only proves that the embedded certificates' keys
// made the signatures.
//
// Conventions established against a real Kalkan CMS (testdata
// nca/signed/kalkan-cms-gost2015-tsa-gost2004.b64):
//
//   - Digest OIDs: 1.2.398.3.10.1.3.1 GOST 34.311-95 (GOST R 34.11-94 with
//     the test S-boxes), 1.2.398.3.10.1.3.2 Streebog-256,
//     1.2.398.3.10.1.3.3 Streebog-512; the TC26 OIDs 1.2.643.7.1.1.2.2/.3
//     are accepted as the same Streebog functions.
//   - messageDigest attribute and TSTInfo messageImprint hold the hash as the
//     gost-engine prints it (streebog/gost341194 Sum output), not reversed.
//   - The signature value is r (little-endian) ‖ s (little-endian), the same
//     layout as in NCA certificates and XMLDSig, not RFC 4490's s ‖ r
//     big-endian. It is computed over the DER signedAttrs with the SET tag.
//   - The timestamp's messageImprint is the hash of the outer SignerInfo's
//     signature OCTET STRING contents (RFC 3161 appendix A), with the
//     algorithm the imprint names (GOST 34.311-95 for the NCA TSA).
//
// No product path uses it yet: SONO takes forms signed with XML-DSig
// (pkg/envelope) and requests with WS-Security, never CMS. It lives in
// internal/ rather than pkg/ so that it is not offered as a supported
// API; it keeps the Kalkan conventions proven against the real sample
// for when a path needs them (e.g. verifying a CMS-signed attachment).
package cms
