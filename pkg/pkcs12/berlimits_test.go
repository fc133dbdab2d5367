package pkcs12

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/ber"
)

// TestBERErrorsAreMalformed pins how normalisation failures surface: as a
// MalformedError naming the structure and the offset, wrapping the ber
// sentinel, under this package's size and depth bounds.
func TestBERErrorsAreMalformed(t *testing.T) {
	tests := []struct {
		name   string
		in     []byte
		cause  error
		offset int
	}{
		{"truncated child", testenv.Hex(t, "3080 0201 05 0405 01"), ber.ErrTruncated, 5},
		{"indefinite primitive", testenv.Hex(t, "0480 0102 0000"), ber.ErrLength, 0},
		{"segment with wrong tag", testenv.Hex(t, "2480 0201 01 0000"), ber.ErrSegment, 2},
		{"too large", make([]byte, MaxInputSize+1), ber.ErrTooLarge, -1},
		{"length beyond MaxInputSize", testenv.Hex(t, "0483 400001"), ber.ErrLength, 0},
		{"deeper than maxBERDepth", nestedIndefinite(maxBERDepth + 2), ber.ErrTooDeep, 2 * (maxBERDepth + 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v asn1.RawValue
			_, err := unmarshalBER(tt.in, &v, "authSafe")
			var me *MalformedError
			if !errors.Is(err, ErrMalformed) || !errors.Is(err, tt.cause) || !errors.As(err, &me) {
				t.Fatalf("err = %v, want MalformedError wrapping %v", err, tt.cause)
			}
			if me.Where != "authSafe (BER)" || me.Offset != tt.offset {
				t.Errorf("Where %q Offset %d, want %q %d", me.Where, me.Offset, "authSafe (BER)", tt.offset)
			}
			if strings.Count(err.Error(), "offset") > 1 {
				t.Errorf("offset repeated in %q", err)
			}
		})
	}
}

// TestBERDepthBound checks that the deepest nesting maxBERDepth allows
// still decodes.
func TestBERDepthBound(t *testing.T) {
	var v asn1.RawValue
	der, err := unmarshalBER(nestedIndefinite(maxBERDepth+1), &v, "test")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(der, []byte{0x30, 2 * maxBERDepth}) {
		t.Errorf("got %X…", der[:4])
	}
}

// nestedIndefinite nests n indefinite-length SEQUENCEs, the innermost
// empty.
func nestedIndefinite(n int) []byte {
	return append(bytes.Repeat([]byte{0x30, 0x80}, n), make([]byte, 2*n)...)
}
