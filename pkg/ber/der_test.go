package ber

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// anyOffset marks error cases whose offset is not pinned.
const anyOffset = -2

func TestToDER(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // hex
	}{
		{"DER passes through", "3006 0201 05 0401 AA", "3006 020105 0401AA"},
		{"indefinite sequence", "3080 0201 05 0000", "3003 020105"},
		{"nested indefinite", "3080 3080 0101 FF 0000 A080 0500 0000 0000", "3009 3003 0101FF A002 0500"},
		{"empty indefinite", "3180 0000", "3100"},
		{"non-minimal length", "0482 0001 AA", "0401 AA"},
		{"non-minimal long length", "0481 02 AABB", "0402 AABB"},
		{"long content gets long length", "3080 0481 80" + strings.Repeat("00", 128) + "0000", "3081 83 048180" + strings.Repeat("00", 128)},
		{"high tag number kept", "9F8101 01 07", "9F8101 01 07"},
		{"constructed OCTET STRING", "2480 0402 0102 0401 03 0000", "0403 010203"},
		{"constructed OCTET STRING definite", "2407 0402 0102 0401 03", "0403 010203"},
		{"nested constructed OCTET STRING", "2480 2480 0401 01 0000 0401 02 0000", "0402 0102"},
		{"empty constructed OCTET STRING", "2480 0000", "0400"},
		{"chunks inside explicit tag", "A080 2480 2406 0401 01 0401 02 0401 03 0000 0000", "A005 0403 010203"},
		{"constructed BMPString", "3E80 1E02 0041 1E02 0042 0000", "1E04 00410042"},
		{"constructed UTF8String", "2C80 0C01 61 0C01 62 0000", "0C02 6162"},
		{"constructed string in high-tag form", "3F04 80 0401 AA 0000", "0401 AA"},
		{"segment in high-tag form", "2480 1F04 01 AA 0000", "0401 AA"},
		{"empty high-tag constructed string", "3F04 00", "0400"},
		{"implicit [0] constructed keeps segments", "A080 0402 0102 0000", "A004 0402 0102"},
		{"CHARACTER STRING is not flattened", "3D80 0201 01 0000", "3D03 020101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ToDER(testenv.Hex(t, tt.in), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if want := testenv.Hex(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("got %X, want %X", got, want)
			}
			if err := checkDER(got); err != nil {
				t.Errorf("output not DER: %v", err)
			}
		})
	}
}

func TestToDERLongContent(t *testing.T) {
	// 300 bytes in three chunks: the DER length needs two octets.
	in := []byte{0x24, 0x80}
	for i := range 3 {
		in = append(in, 0x04, 0x64)
		in = append(in, bytes.Repeat([]byte{byte(i)}, 100)...)
	}
	in = append(in, 0, 0)
	got, err := ToDER(in, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 304 || !bytes.Equal(got[:4], []byte{0x04, 0x82, 0x01, 0x2c}) || got[4] != 0 || got[303] != 2 {
		t.Fatalf("got %X… (%d bytes)", got[:min(8, len(got))], len(got))
	}
}

func TestToDERDoesNotAlias(t *testing.T) {
	in := testenv.Hex(t, "3003 020105")
	out, err := ToDER(in, Limits{})
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("got %X, %v", out, err)
	}
	out[0] = 0
	if in[0] != 0x30 {
		t.Fatal("output aliases the input")
	}
}

func TestToDERRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   string
		lim  Limits
		want error
		off  int
	}{
		{"empty input", "", Limits{}, ErrTruncated, 0},
		{"truncated header", "30", Limits{}, ErrTruncated, 0},
		{"truncated tag", "1F81", Limits{}, ErrTruncated, 0},
		{"truncated length octets", "0482 01", Limits{}, ErrTruncated, 0},
		{"truncated content", "0405 0102", Limits{}, ErrTruncated, 0},
		{"truncated child", "3080 0201 05 0405 01", Limits{}, ErrTruncated, 5},
		{"missing EOC", "3080 0201 05", Limits{}, ErrTruncated, 5},
		{"half an EOC", "3080 0500 00", Limits{}, ErrTruncated, 4},
		{"long tag", "1F81 8181 8181 01", Limits{}, ErrTag, 0},
		{"indefinite primitive", "0480 0102 0000", Limits{}, ErrLength, 0},
		{"reserved length", "04FF", Limits{}, ErrLength, 0},
		{"five length octets", "0485 0000 0000 01", Limits{}, ErrLength, 0},
		{"huge length octets", "0488 FFFFFFFFFFFFFFFF", Limits{}, ErrLength, 0},
		{"length beyond limit", "0484 7FFFFFFF 00", Limits{}, ErrLength, 0},
		{"length beyond small limit", "0481 80", Limits{MaxSize: 100}, ErrLength, 0},
		{"input beyond limit", "0401 AA", Limits{MaxSize: 2}, ErrTooLarge, -1},
		{"EOC in definite", "3002 0000", Limits{}, ErrEOC, 2},
		{"stray EOC", "3004 0000 0000", Limits{}, ErrEOC, 2},
		{"EOC at top", "0000", Limits{}, ErrEOC, 0},
		{"EOC with content", "3080 0001 AA 0000", Limits{}, ErrEOC, 2},
		{"constructed EOC", "2000", Limits{}, ErrEOC, 0},
		{"trailing data", "0500 00", Limits{}, ErrTrailing, 2},
		{"trailing element", "0500 0500", Limits{}, ErrTrailing, 2},
		{"segment with wrong tag", "2480 0201 01 0000", Limits{}, ErrSegment, 2},
		{"segment of another string type", "2480 0C01 61 0000", Limits{}, ErrSegment, 2},
		{"context-class segment", "2480 8001 AA 0000", Limits{}, ErrSegment, 2},
		{"wrong tag in nested segment", "2480 2480 1E02 0041 0000 0000", Limits{}, ErrSegment, 4},
		{"depth bomb indefinite", strings.Repeat("3080", 1000) + strings.Repeat("0000", 1000), Limits{}, ErrTooDeep, 2 * (DefaultMaxDepth + 1)},
		{"depth bomb definite", depthBombDefinite(200), Limits{}, ErrTooDeep, anyOffset},
		{"depth bomb octet segments", strings.Repeat("2480", 1000) + strings.Repeat("0000", 1000), Limits{}, ErrTooDeep, 2 * (DefaultMaxDepth + 1)},
		{"one level beyond MaxDepth", "3080 3080 3080 0500 0000 0000 0000", Limits{MaxDepth: 2}, ErrTooDeep, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := ToDER(testenv.Hex(t, tt.in), tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %X, %v; want %v", out, err, tt.want)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%T is not a *SyntaxError", err)
			}
			if tt.off != anyOffset && se.Offset != tt.off {
				t.Errorf("offset %d, want %d (%v)", se.Offset, tt.off, err)
			}
		})
	}
}

func TestToDERMaxDepthIsInclusive(t *testing.T) {
	in := testenv.Hex(t, "3080 3080 0500 0000 0000")
	if _, err := ToDER(in, Limits{MaxDepth: 2}); err != nil {
		t.Fatalf("depth 2 under MaxDepth 2: %v", err)
	}
	if _, err := ToDER(in, Limits{MaxDepth: 1}); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("depth 2 under MaxDepth 1: %v, want ErrTooDeep", err)
	}
}

// TestToDERGrowthIsBounded pins the MaxSize check on normalised sizes:
// an indefinite length costs four octets, a definite one over 64 KiB five,
// so deep nesting around a large string outgrows the input.
func TestToDERGrowthIsBounded(t *testing.T) {
	const levels, data = 10, 1 << 16
	in := bytes.Repeat([]byte{0x30, 0x80}, levels)
	in = append(in, 0x04, 0x83, 0x01, 0x00, 0x00)
	in = append(in, make([]byte, data)...)
	in = append(in, make([]byte, 2*levels)...)
	out, err := ToDER(in, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in)+levels {
		t.Fatalf("output %d bytes, want %d", len(out), len(in)+levels)
	}
	if _, err := ToDER(in, Limits{MaxSize: len(in)}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := ToDER(testenv.Hex(t, "3080 0201 05 0405 01"), Limits{})
	if got, want := err.Error(), "ber: truncated element at offset 5"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	_, err = ToDER(make([]byte, 3), Limits{MaxSize: 2})
	if got, want := err.Error(), "ber: input too large"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// depthBombDefinite nests n definite-length SEQUENCEs around NULL.
func depthBombDefinite(n int) string {
	b := []byte{0x05, 0x00}
	for range n {
		b = append(appendLength([]byte{0x30}, len(b)), b...)
	}
	return hexString(b)
}

func hexString(b []byte) string {
	const digits = "0123456789ABCDEF"
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&15])
	}
	return sb.String()
}
