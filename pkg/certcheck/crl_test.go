package certcheck

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"
)

func TestParseRealCRL(t *testing.T) {
	der := readNCA(t, crlFile)
	if _, err := x509.ParseRevocationList(der); err == nil {
		t.Log("crypto/x509 now parses the NCA CRL; the NULL tolerance may be unnecessary")
	}
	crl, err := ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	ca := ncaCert(t, caFile)
	if err := crl.CheckSignatureFrom(ca); err != nil {
		t.Fatalf("CRL signature: %v", err)
	}
	if err := crl.CheckSignatureFrom(ncaCert(t, rootFile)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("CRL checked against the root: %v", err)
	}
	if got := len(crl.Entries); got != 195 {
		t.Errorf("entries: %d, want 195 (openssl crl -text)", got)
	}
	if crl.Number == nil || crl.Number.Int64() != 0xA6 || crl.IsDelta() {
		t.Errorf("number %v delta %v", crl.Number, crl.IsDelta())
	}
	wantThis := time.Date(2026, 8, 11, 3, 49, 19, 0, time.UTC)
	wantNext := time.Date(2027, 2, 7, 3, 49, 19, 0, time.UTC)
	if !crl.ThisUpdate.Equal(wantThis) || !crl.NextUpdate.Equal(wantNext) {
		t.Errorf("thisUpdate %s nextUpdate %s", crl.ThisUpdate, crl.NextUpdate)
	}
	if !bytes.Equal(crl.AuthorityKeyID, ca.SubjectKeyId) {
		t.Errorf("AKI %X, CA SKI %X", crl.AuthorityKeyID, ca.SubjectKeyId)
	}
	for _, tc := range []struct {
		serial string
		at     time.Time
		reason Reason
	}{
		{"3ACEA55CBCDF38C861FB3F341854C53EC9ED6ECD", time.Date(2026, 5, 8, 14, 57, 29, 0, time.UTC), ReasonCertificateHold},
		{"5BFAB68530D2A5DAF87B65E29A105A7BEA75B411", time.Date(2026, 5, 8, 14, 59, 6, 0, time.UTC), ReasonCertificateHold},
		{"58F7A232CAA00C3B012AD83B679C7BB5DAF00073", time.Date(2026, 5, 20, 11, 12, 45, 0, time.UTC), ReasonCessationOfOperation},
	} {
		n, _ := new(big.Int).SetString(tc.serial, 16)
		e, ok := crl.Lookup(n)
		if !ok || !e.RevokedAt.Equal(tc.at) || e.Reason != tc.reason {
			t.Errorf("%s: %v %+v", tc.serial, ok, e)
		}
	}
}

// TestTamperedCRL flips one byte in the signature, one in a revoked
// serial and one in thisUpdate: each must fail the signature check.
func TestTamperedCRL(t *testing.T) {
	der := readNCA(t, crlFile)
	ca := ncaCert(t, caFile)
	serial := bytes.Index(der, []byte{0x02, 0x14, 0x11, 0x87, 0x8B, 0xBB})
	this := bytes.Index(der, []byte("260811034919Z"))
	if serial < 0 || this < 0 {
		t.Fatal("landmarks not found in the CRL")
	}
	for _, tc := range []struct {
		name string
		off  int
	}{
		{"signature", len(der) - 5},
		{"revoked serial", serial + 6},
		{"thisUpdate", this + 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := bytes.Clone(der)
			bad[tc.off] ^= 0x01
			crl, err := ParseCRL(bad)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if err := crl.CheckSignatureFrom(ca); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("tampered CRL: %v", err)
			}
		})
	}
}

func TestParseCRLRefuses(t *testing.T) {
	der := readNCA(t, crlFile)
	// The outer AlgorithmIdentifier is the second-to-last element: its
	// OID 1.2.398.3.10.1.1.2.3.2 is changed to ...3.1 (GOST 2015-256).
	outerOID := bytes.LastIndex(der, []byte{0x06, 0x0A, 0x2A, 0x83, 0x0E})
	otherAlg := bytes.Clone(der)
	otherAlg[outerOID+11] = 0x01

	// A non-NULL parameter in place of the NULL: not the tolerated quirk.
	nullAt := outerOID + 12
	if der[nullAt] != 0x05 || der[nullAt+1] != 0x00 {
		t.Fatalf("expected NULL at %d: % X", nullAt, der[nullAt:nullAt+2])
	}
	badParams := bytes.Clone(der)
	badParams[nullAt], badParams[nullAt+1] = 0x04, 0x00 // empty OCTET STRING

	for name, tc := range map[string]struct {
		der  []byte
		want error
	}{
		"empty":                    {nil, ErrMalformedCRL},
		"garbage":                  {[]byte{0x30, 0x03, 0x02, 0x01, 0x01}, ErrMalformedCRL},
		"truncated":                {der[:len(der)/2], ErrMalformedCRL},
		"trailing":                 {append(bytes.Clone(der), 0x00), ErrMalformedCRL},
		"other outer algorithm":    {otherAlg, ErrMalformedCRL},
		"non-NULL outer parameter": {badParams, ErrMalformedCRL},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseCRL(tc.der); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSameAlgorithm(t *testing.T) {
	oid := asn1.ObjectIdentifier{1, 2, 3}
	null := asn1.RawValue{FullBytes: []byte{0x05, 0x00}}
	other := asn1.RawValue{FullBytes: []byte{0x02, 0x01, 0x00}}
	for _, tc := range []struct {
		a, b algID
		want bool
	}{
		{algID{OID: oid}, algID{OID: oid}, true},
		{algID{OID: oid, Params: null}, algID{OID: oid}, true},
		{algID{OID: oid}, algID{OID: oid, Params: null}, true},
		{algID{OID: oid, Params: other}, algID{OID: oid}, false},
		{algID{OID: oid}, algID{OID: asn1.ObjectIdentifier{1, 2, 4}}, false},
	} {
		if got := sameAlgorithm(tc.a, tc.b); got != tc.want {
			t.Errorf("%v vs %v: %v", tc.a, tc.b, got)
		}
	}
}
