// Package xmldsig signs and verifies the two XML Signature profiles salyq
// speaks: the taxpayer's enveloped signature over a form, and the detached
// reference signature that WS-Security places in a SOAP header.
//
// It owns the algorithm table (signature and digest URIs per key type), the
// Signer interface that every key implementation satisfies, and the
// reference/SignedInfo mechanics. Canonicalization comes from goxmldsig;
// the digest and signature checks are done here, because goxmldsig can
// neither verify a signature that sits outside the signed element nor speak
// the GOST algorithms NCA RK keys use.
package xmldsig
