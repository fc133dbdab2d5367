package cms

import (
	"bytes"
	"errors"
	"testing"
)

func TestBERToDER(t *testing.T) {
	tests := []struct {
		name    string
		in, out []byte
	}{
		{"DER unchanged", []byte{0x30, 0x03, 0x02, 0x01, 0x05}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}},
		{"indefinite sequence", []byte{0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}},
		{"non-minimal length", []byte{0x04, 0x82, 0x00, 0x01, 0xaa}, []byte{0x04, 0x01, 0xaa}},
		{"chunked octet string",
			[]byte{0x24, 0x80, 0x04, 0x01, 0xaa, 0x04, 0x02, 0xbb, 0xcc, 0x00, 0x00},
			[]byte{0x04, 0x03, 0xaa, 0xbb, 0xcc}},
		{"nested chunks in explicit tag",
			[]byte{0xa0, 0x80, 0x24, 0x80, 0x24, 0x06, 0x04, 0x01, 0x01, 0x04, 0x01, 0x02, 0x04, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00},
			[]byte{0xa0, 0x05, 0x04, 0x03, 0x01, 0x02, 0x03}},
		{"empty indefinite", []byte{0x31, 0x80, 0x00, 0x00}, []byte{0x31, 0x00}},
		{"high tag number", []byte{0x9f, 0x81, 0x01, 0x01, 0x07}, []byte{0x9f, 0x81, 0x01, 0x01, 0x07}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := berToDER(tc.in)
			if err != nil || !bytes.Equal(got, tc.out) {
				t.Fatalf("got %x, %v; want %x", got, err, tc.out)
			}
		})
	}
}

func TestBERToDERLongContent(t *testing.T) {
	// 300 bytes in three chunks: the DER length needs two octets.
	var in []byte
	in = append(in, 0x24, 0x80)
	for i := 0; i < 3; i++ {
		in = append(in, 0x04, 0x64)
		in = append(in, bytes.Repeat([]byte{byte(i)}, 100)...)
	}
	in = append(in, 0, 0)
	got, err := berToDER(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:4], []byte{0x04, 0x82, 0x01, 0x2c}) || len(got) != 304 || got[303] != 2 {
		t.Fatalf("got %x…", got[:8])
	}
}

func TestBERToDERRefuses(t *testing.T) {
	deep := bytes.Repeat([]byte{0x30, 0x80}, maxBERDepth+2)
	deep = append(deep, bytes.Repeat([]byte{0, 0}, maxBERDepth+2)...)
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, errBERTruncated},
		{"truncated body", []byte{0x04, 0x05, 0x01}, errBERTruncated},
		{"missing EOC", []byte{0x30, 0x80, 0x05, 0x00}, errBERTruncated},
		{"EOC in definite", []byte{0x30, 0x02, 0x00, 0x00}, errBEREOC},
		{"primitive indefinite", []byte{0x04, 0x80, 0x00, 0x00}, errBERLength},
		{"reserved length", []byte{0x04, 0xff}, errBERLength},
		{"five length octets", []byte{0x04, 0x85, 0, 0, 0, 0, 1}, errBERLength},
		{"huge length", []byte{0x04, 0x84, 0x7f, 0xff, 0xff, 0xff}, errBERLength},
		{"bad segment", []byte{0x24, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00}, errBERSegment},
		{"trailing", []byte{0x05, 0x00, 0x05}, errBERTrailing},
		{"too deep", deep, errBERDepth},
		{"long tag", []byte{0x1f, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01}, errBERTag},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := berToDER(tc.in); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
