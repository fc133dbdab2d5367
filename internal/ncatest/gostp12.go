package ncatest

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/salyq/salyq/pkg/crypto/gost3410"
)

// PKCS#12 OIDs of the unprotected GOST container.
var (
	oidData     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidKeyBag   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidCertBag  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Cert = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
)

// contentInfo and safeBag carry their [0] EXPLICIT content as a ready
// RawValue (see explicit0): encoding/asn1 writes a RawValue's FullBytes
// as they are, ignoring the field's tag options.
type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue
}

type safeBag struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue
}

// explicit0 wraps the DER element der in [0] EXPLICIT.
func explicit0(der []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der}
}

// gostP12 writes a GOST key and its certificates as a PKCS#12 container
// in NCA's key layout (PKCS#8 with OCTET STRING(OCTET STRING(d_LE))) but
// without encryption or MAC: go-pkcs12 cannot encode a GOST key, and a
// test key is no secret. salyq's reader opens it with any password.
func gostP12(priv *gost3410.PrivateKey, certs []*x509.Certificate) ([]byte, error) {
	inner, err := asn1.Marshal(priv.Bytes())
	if err != nil {
		return nil, err
	}
	outerKey, err := asn1.Marshal(inner)
	if err != nil {
		return nil, err
	}
	params, err := asn1.Marshal([]asn1.ObjectIdentifier{oidGOST2015512Curve})
	if err != nil {
		return nil, err
	}
	pkcs8, err := asn1.Marshal(struct {
		Version    int
		Algorithm  pkix.AlgorithmIdentifier
		PrivateKey []byte
	}{0, pkix.AlgorithmIdentifier{Algorithm: oidGOST2015512Key, Parameters: asn1.RawValue{FullBytes: params}}, outerKey})
	if err != nil {
		return nil, err
	}
	bags := []safeBag{{ID: oidKeyBag, Value: explicit0(pkcs8)}}
	for _, c := range certs {
		cb, err := asn1.Marshal(struct {
			ID   asn1.ObjectIdentifier
			Cert []byte `asn1:"explicit,tag:0"`
		}{oidX509Cert, c.Raw})
		if err != nil {
			return nil, err
		}
		bags = append(bags, safeBag{ID: oidCertBag, Value: explicit0(cb)})
	}
	contents, err := asn1.Marshal(bags)
	if err != nil {
		return nil, err
	}
	authSafe, err := asn1.Marshal([]contentInfo{dataInfo(contents)})
	if err != nil {
		return nil, err
	}
	pfx, err := asn1.Marshal(struct {
		Version  int
		AuthSafe contentInfo
	}{3, dataInfo(authSafe)})
	if err != nil {
		return nil, fmt.Errorf("ncatest: GOST pkcs12: %w", err)
	}
	return pfx, nil
}

// dataInfo wraps b as a ContentInfo of type data.
func dataInfo(b []byte) contentInfo {
	octets, _ := asn1.Marshal(b) // a byte slice always marshals
	return contentInfo{ContentType: oidData, Content: explicit0(octets)}
}
