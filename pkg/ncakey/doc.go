// Package ncakey loads NCA RK (НУЦ РК) keys and tells whose they are.
//
// A tax form is signed by a taxpayer's key: the certificate says which
// person (IIN) or legal entity (BIN) it belongs to, in which role, and
// whether it may sign at all. This package reads that identity from a
// certificate (subject SERIALNUMBER=IIN…, OU=BIN…, role OIDs in the
// extended key usage, signing vs authentication key usage), validates
// IIN/BIN check digits, loads a PKCS#12 container into a Key whose
// Signer plugs into package xmldsig, and indexes a directory of
// containers by taxpayer so that a form for a given IIN/BIN finds the
// right key.
//
// Roles come from one table of NCA's role OIDs (RoleTable; meanings and
// sources in docs/nca-roles.md). An information-system certificate, the
// organisation's transport key, names a system rather than a person: its
// BIN identifies it, its CN is the system's name (Identity.Name), and it
// never signs a taxpayer's form. When a taxpayer's keys cannot sign, the
// NoKeyError says why (expired on a date in Astana time, not yet valid,
// AUTH-only, wrong role); Keystore.Summarize reports a whole keystore.
//
// Only RSA keys in DER PKCS#12 files are read today. NCA's current keys
// are GOST 2015 keys in Kalkan containers (BER inside, docs/PROTOCOL.md §5),
// which the PKCS#12 decoder cannot parse; they are reported as
// ErrUnsupportedContainer. A later loader constructs a Key with NewKey
// from any xmldsig.Signer and plugs into the Keystore through
// KeystoreOptions.Load, so callers do not change.
//
// NCA's test certificates carry identifiers with wrong check digits
// (IIN 123456789011, BIN 123456789021); they are accepted only when the
// caller explicitly allows test identities.
package ncakey
