package pkcs12

import (
	"encoding/asn1"
	"fmt"
)

// GOSTKey is a GOST private key (GOST 34.310-2004 or GOST R 34.10-2015)
// kept as raw data, so that this package needs no curve arithmetic.
type GOSTKey struct {
	// KeyOID is the PKCS#8 key algorithm, e.g. 1.2.398.3.10.1.1.2.2
	// (GOST 2015-512) or 1.2.398.3.10.1.1.1.1 (GOST 34.310-2004).
	KeyOID asn1.ObjectIdentifier
	// CurveOID is the parameter set named in the key algorithm parameters,
	// e.g. 1.2.398.3.10.1.1.2.2.1; empty when the parameters name none.
	CurveOID asn1.ObjectIdentifier
	// D is the private scalar, little-endian, exactly as stored: 32 bytes
	// for 256-bit keys, 64 for 512-bit ones.
	D []byte
}

// String describes the key without revealing D.
func (k GOSTKey) String() string {
	return fmt.Sprintf("GOSTKey{KeyOID: %s, CurveOID: %s, D: [%d bytes redacted]}", k.KeyOID, k.CurveOID, len(k.D))
}

// GoString keeps %#v from printing D.
func (k GOSTKey) GoString() string { return k.String() }

// gostKeySize returns the private scalar length for a Kazakh GOST key OID.
func gostKeySize(oid asn1.ObjectIdentifier) (int, bool) {
	switch {
	case oid.Equal(oidKeyGOST34310_2004), oid.Equal(oidKeyGOST2015_256):
		return 32, true
	case oid.Equal(oidKeyGOST2015_512):
		return 64, true
	}
	return 0, false
}
