// Package gost3410 implements GOST R 34.10-2012 / 34.10-2001 elliptic-curve
// signatures in pure Go, on the curves NCA RK (Kazakhstan) keys use, with
// NCA's byte conventions:
//
//   - tc26-gost-3410-12-512-paramSetA (GOST 2015-512 keys, NCA curve OID
//     1.2.398.3.10.1.1.2.2.1),
//   - CryptoPro-A (GOST 34.310-2004 keys, NCA key OID 1.2.398.3.10.1.1.1.1),
//   - tc26-gost-3410-12-256-paramSetA (Weierstrass form, a ≠ −3, cofactor 4).
//
// Conventions (docs/PROTOCOL.md §5): the digest is read as a little-endian
// integer e mod q (e = 0 becomes 1); a signature is r_LE ‖ s_LE, each one
// coordinate long; a raw public key is x_LE ‖ y_LE; a private key d is
// little-endian. s = r·d + k·e mod q with r = x(k·G) mod q. Hashing
// (Streebog, GOST 34.311-95) is the caller's job.
//
// # Speed
//
// Field elements are fixed arrays of 64-bit limbs (math/bits). The two
// pseudo-Mersenne primes (2⁵¹²−569, 2²⁵⁶−617) use schoolbook products with
// folding reduction; every other modulus (the tc26-256-A prime is the same
// as CryptoPro-A's, but the group orders q and the RFC 7091 test curves are
// not of that form) uses CIOS Montgomery multiplication. Points are
// projective with the complete Renes–Costello–Batina formulas for general a
// (a = −3 turns the multiplications by a into additions). k·G uses a
// per-curve table of j·16^i·G (i over all 2·size nibbles, j = 1..15, affine,
// built once with sync.Once and one batch inversion, about 240 KB for the
// 512-bit curve), so signing costs one mixed addition per nibble and one
// field inversion, with no doublings. The pseudo-Mersenne primes also have
// a dedicated squaring.
//
// Verification (verify.go, straus.go, jacobian.go, keycache.go) computes
// z1·G + z2·Q in one chain of doublings (Straus–Shamir with interleaved
// width-w NAF digits) in Jacobian coordinates with the incomplete,
// variable-time formulas (a doubling is 3M+5S instead of the complete
// formulas' 11M), looks the G part up in a per-curve table of odd
// multiples of 2^(64j)·G (8 teeth, w = 8, 64 KB for the 512-bit curve), does
// the mod-q and table-normalising inversions with math/big's extended
// Euclid, and compares x(R) with r projectively (X = r·Z², no field
// inversion). A key seen for the first time gets a w = 5 table of its odd
// multiples, so the chain is as long as the scalar. A key seen again — the
// gateway's, an ERP's that signs a whole batch — gets an 8-tooth w = 6
// table (16 KB), kept by the curve in a least-recently-used cache of
// KeyCacheSize keys keyed by the raw key, and the chain shrinks to an
// eighth: that verification costs less than a signature.
//
// # Side channels
//
// Done for the secret-dependent path (k·G in Sign, d·G in NewPrivateKey,
// and the mod-q arithmetic of s = r·d + k·e):
//   - scalars are always size bytes and every nibble is processed (fixed
//     4-bit windows, fixed iteration count, including leading zeros);
//   - each table row is read in full and the entry picked with masked
//     selects, so the memory access pattern does not depend on the digit;
//     digit 0 is handled by computing the addition anyway and masking the
//     result;
//   - complete addition formulas: no branches on doubling, inverse points
//     or the identity;
//   - field add/sub/mul end with masked, not branched, conditional
//     subtractions; the inversion is Fermat's with the public exponent
//     m − 2; mod-q arithmetic uses the same fixed-limb code, not math/big.
//
// What remains:
//   - Go makes no constant-time promise; the code has not been checked at
//     the assembly level or with a timing tool (dudect or similar).
//   - Nonces come only from the supplied reader (crypto/rand by default);
//     there is no RFC 6979-style hedging with d and the digest, so a broken
//     random source leaks the key exactly as in any GOST/ECDSA signer.
//   - Rejection sampling of k and the retry on r = 0 or s = 0 vary in time
//     but reveal nothing about the accepted k.
//   - Key material lives in ordinary Go memory and is not zeroised.
//   - Verify and NewPublicKey are variable time (their inputs are public);
//     whether a key is in the verification cache shows in Verify's time,
//     which reveals only which public keys were used lately.
package gost3410
