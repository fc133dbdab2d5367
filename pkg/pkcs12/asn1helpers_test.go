package pkcs12

import (
	"encoding/asn1"
	"testing"
)

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// asn1RawExplicit0 wraps an encoded element in [0] EXPLICIT.
func asn1RawExplicit0(t *testing.T, inner []byte) asn1.RawValue {
	t.Helper()
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner}
}

// asn1RawEmpty is an absent optional element.
func asn1RawEmpty() asn1.RawValue { return asn1.RawValue{} }
