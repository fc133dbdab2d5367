package pkcs12

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
)

// privateKeyInfo is the prefix of PKCS#8 / RFC 5958 OneAsymmetricKey that
// the dispatch needs; later optional fields are ignored.
type privateKeyInfo struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
}

// encryptedPrivateKeyInfo is PKCS#8's EncryptedPrivateKeyInfo.
type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}

// parsePrivateKey turns a PKCS#8 PrivateKeyInfo (possibly BER) into a Go
// key: *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey or *GOSTKey.
func parsePrivateKey(ber []byte) (any, error) {
	var pki privateKeyInfo
	der, err := unmarshalBER(ber, &pki, "PKCS#8 private key")
	defer clear(der)
	if err != nil {
		return nil, err
	}
	alg := pki.Algorithm.Algorithm
	switch {
	case alg.Equal(oidKeyRSA), alg.Equal(oidKeyEC), alg.Equal(oidKeyEd25519):
		key, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, malformed("PKCS#8 private key", err)
		}
		return key, nil
	}
	size, ok := gostKeySize(alg)
	if !ok {
		return nil, unsupported("private key algorithm", alg)
	}
	curve, err := gostCurveOID(pki.Algorithm.Parameters)
	if err != nil {
		return nil, err
	}
	d, err := gostScalar(pki.PrivateKey, size)
	if err != nil {
		return nil, err
	}
	return &GOSTKey{KeyOID: alg, CurveOID: curve, D: d}, nil
}

// gostCurveOID reads the parameter set from GOST key parameters, which are
// either the curve OID itself or a SEQUENCE starting with it (RFC 4357
// style); absent or NULL parameters give an empty OID.
func gostCurveOID(params asn1.RawValue) (asn1.ObjectIdentifier, error) {
	if len(params.FullBytes) == 0 || (params.Class == asn1.ClassUniversal && params.Tag == asn1.TagNull) {
		return nil, nil
	}
	if params.Class == asn1.ClassUniversal && params.Tag == asn1.TagOID {
		var oid asn1.ObjectIdentifier
		if err := unmarshalDER(params.FullBytes, &oid, "GOST key parameters"); err != nil {
			return nil, err
		}
		return oid, nil
	}
	if params.Class == asn1.ClassUniversal && params.Tag == asn1.TagSequence {
		var seq struct{ Curve asn1.ObjectIdentifier }
		if err := unmarshalDER(params.FullBytes, &seq, "GOST key parameters"); err != nil {
			return nil, err
		}
		return seq.Curve, nil
	}
	return nil, malformed("GOST key parameters", fmt.Errorf("unexpected tag %d", params.Tag))
}

// gostScalar extracts d from the PKCS#8 privateKey octets. NCA stores
// OCTET STRING(d) inside the privateKey OCTET STRING; some writers put d
// there directly. The length must match the key type either way, which
// also disambiguates a raw d that happens to start like a DER header.
func gostScalar(p []byte, size int) ([]byte, error) {
	cur := p
	for range 3 {
		if len(cur) == size {
			return append([]byte(nil), cur...), nil
		}
		var inner []byte
		rest, err := asn1.Unmarshal(cur, &inner)
		if err != nil || len(rest) != 0 {
			break
		}
		cur = inner
	}
	return nil, malformed("GOST private key", fmt.Errorf("no %d-byte scalar in %d-byte field", size, len(p)))
}
