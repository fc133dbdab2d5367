package pkcs12

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestBERToDER(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // hex; empty when an error is expected
		wantErr error
	}{
		{"DER passes through", "3006 0201 05 0401 AA", "3006020105 0401AA", nil},
		{"indefinite sequence", "3080 0201 05 0000", "3003 020105", nil},
		{"nested indefinite", "3080 3080 0101 FF 0000 A080 0500 0000 0000", "3009 3003 0101FF A002 0500", nil},
		{"constructed OCTET STRING", "2480 0402 0102 0401 03 0000", "0403 010203", nil},
		{"constructed OCTET STRING definite", "2407 0402 0102 0401 03", "0403 010203", nil},
		{"nested constructed OCTET STRING", "2480 2480 0401 01 0000 0401 02 0000", "0402 0102", nil},
		{"constructed BMPString", "3E80 1E02 0041 1E02 0042 0000", "1E04 00410042", nil},
		{"implicit [0] constructed keeps segments", "A080 0402 0102 0000", "A004 0402 0102", nil},
		{"constructed string in high-tag form", "3F04 80 0401 AA 0000", "0401 AA", nil},
		{"non-minimal length", "0481 02 AABB", "0402 AABB", nil},
		{"long content gets long length", "3080 0481 80" + strings.Repeat("00", 128) + "0000", "3081 83 048180" + strings.Repeat("00", 128), nil},
		{"empty indefinite", "3080 0000", "3000", nil},
		{"truncated header", "30", "", ErrMalformed},
		{"truncated content", "0405 0102", "", ErrMalformed},
		{"missing EOC", "3080 0201 05", "", ErrMalformed},
		{"indefinite primitive", "0480 0102 0000", "", ErrMalformed},
		{"stray EOC", "3004 0000 0000", "", ErrMalformed},
		{"trailing data", "0500 00", "", ErrMalformed},
		{"segment with wrong tag", "2480 0201 01 0000", "", ErrMalformed},
		{"length beyond input", "0484 7FFFFFFF 00", "", ErrMalformed},
		{"huge length octets", "0488 FFFFFFFFFFFFFFFF", "", ErrMalformed},
		{"depth bomb indefinite", strings.Repeat("3080", 1000) + strings.Repeat("0000", 1000), "", ErrMalformed},
		{"depth bomb definite", depthBombDefinite(200), "", ErrMalformed},
		{"depth bomb octet segments", strings.Repeat("2480", 1000) + strings.Repeat("0000", 1000), "", ErrMalformed},
		{"empty input", "", "", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := berToDER(unhex(t, tt.in))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("got %X, want %X", got, want)
			}
		})
	}
}

// depthBombDefinite nests n definite-length SEQUENCEs around NULL.
func depthBombDefinite(n int) string {
	b := []byte{0x05, 0x00}
	for range n {
		b = append(appendLength([]byte{0x30}, len(b)), b...)
	}
	var sb strings.Builder
	for _, c := range b {
		sb.WriteString(strings.ToUpper(string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])))
	}
	return sb.String()
}

func TestBERToDERTooLarge(t *testing.T) {
	if _, err := berToDER(make([]byte, MaxInputSize+1)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
}

func TestBERToDERMalformedSaysWhere(t *testing.T) {
	_, err := berToDER(unhex(t, "3080 0201 05 0405 01"))
	var me *MalformedError
	if !errors.As(err, &me) || me.Offset != 5 {
		t.Fatalf("err = %v, want MalformedError at offset 5", err)
	}
}
