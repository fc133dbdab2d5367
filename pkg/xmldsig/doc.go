// Package xmldsig signs and verifies the two XML Signature profiles salyq
// speaks: the taxpayer's enveloped signature over a form, and the detached
// reference signature that WS-Security places in a SOAP header.
//
// It owns the algorithm table (signature and digest URIs per key type), the
// Signer interface that every key implementation satisfies, and the
// reference/SignedInfo mechanics. Digests and signature checks are done
// here because goxmldsig can neither verify a signature that sits outside
// the signed element nor speak the GOST algorithms NCA RK keys use.
//
// Canonicalization (Canonical XML 1.0 and Exclusive XML Canonicalization
// 1.0, with and without comments) is done here too, straight from the etree
// tree: the copies goxmldsig's canonicalizers and the enveloped-signature
// transform needed cost more than the signature arithmetic. goxmldsig is
// now only the reference the tests compare with.
package xmldsig
