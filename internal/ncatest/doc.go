// Package ncatest is a test PKI in the NCA RK RSA profile, for tests and
// for the sandbox gateway.
//
// New makes a root CA with an NCA-like subject; Issue makes RSA-2048 end
// entity certificates the way NCA profiles them: SIGN keys
// (digitalSignature+nonRepudiation, EKU emailProtection + role OID), AUTH
// keys (digitalSignature+keyEncipherment, EKU clientAuth + role OID),
// combined keys like the current GOST ones, for individuals, legal
// entities in each role and information systems, with any validity
// window (so expired and not-yet-valid keys are easy). Each issued key is
// an *ncakey.Key that can also be written as a PKCS#12 file, and WriteDir
// lays out a keystore directory that ncakey.OpenKeystore reads.
//
// Information systems get NCA's current profile (UID, CN=<system>, O,
// OU=BIN…, C=KZ, no IIN; EKU legal entity + 1.2.398.3.3.4.1.2.6), or the
// older one through Request.RoleOIDs. Request.GOST issues a GOST 2015-512
// key instead of an RSA one (its certificate signed by the RSA root, its
// PKCS#12 container unprotected), which is fast: no RSA key generation.
//
// Cost: every issued certificate gets a fresh RSA-2048 key, which takes
// 20–200 ms on a small machine (more under load); the root key is made by
// New. Tests should issue what they need once and share it (e.g. through
// sync.OnceValues), or pass Request.Key to reuse a key. Go's crypto/rsa
// refuses keys under 1024 bits and, since Go 1.26, ignores a caller's
// random source, so the output is not reproducible from a seed.
//
// Identifiers from NewIIN and NewBIN have correct check digits, unlike
// NCA's own test identifiers (ncakey.TestIIN, ncakey.TestBIN), which a
// Request may still use to exercise the test-identity switch.
package ncatest
