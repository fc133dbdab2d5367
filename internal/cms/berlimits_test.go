package cms

import (
	"bytes"
	"errors"
	"testing"

	"github.com/salyq/salyq/pkg/ber"
)

// TestParseBERErrors pins how normalisation failures surface from Parse:
// a MalformedError for the encoding that wraps the *ber.SyntaxError, under
// this package's size and depth bounds.
func TestParseBERErrors(t *testing.T) {
	deep := func(n int) []byte {
		return append(bytes.Repeat([]byte{0x30, 0x80}, n), make([]byte, 2*n)...)
	}
	tests := []struct {
		name   string
		in     []byte
		cause  error
		offset int
	}{
		{"empty", nil, ber.ErrTruncated, 0},
		{"missing EOC", []byte{0x30, 0x80, 0x05, 0x00}, ber.ErrTruncated, 4},
		{"bad segment", []byte{0x24, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00}, ber.ErrSegment, 2},
		{"trailing", []byte{0x05, 0x00, 0x05}, ber.ErrTrailing, 2},
		{"length beyond MaxInputSize", []byte{0x04, 0x84, 0x04, 0x00, 0x00, 0x01}, ber.ErrLength, 0},
		{"deeper than maxBERDepth", deep(maxBERDepth + 2), ber.ErrTooDeep, 2 * (maxBERDepth + 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			var me *MalformedError
			var se *ber.SyntaxError
			if !errors.Is(err, ErrMalformed) || !errors.As(err, &me) || me.Where != "encoding" {
				t.Fatalf("err = %v, want MalformedError in encoding", err)
			}
			if !errors.Is(err, tt.cause) || !errors.As(err, &se) || se.Offset != tt.offset {
				t.Fatalf("err = %v, want %v at offset %d", err, tt.cause, tt.offset)
			}
		})
	}
}

// TestParseDepthBound checks that nesting maxBERDepth allows gets past
// normalisation: the failure is then about the structure, not the encoding.
func TestParseDepthBound(t *testing.T) {
	in := append(bytes.Repeat([]byte{0x30, 0x80}, maxBERDepth+1), make([]byte, 2*(maxBERDepth+1))...)
	_, err := Parse(in)
	var me *MalformedError
	if !errors.As(err, &me) || me.Where == "encoding" {
		t.Fatalf("err = %v, want a structural MalformedError", err)
	}
}
