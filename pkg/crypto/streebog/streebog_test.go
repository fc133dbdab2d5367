package streebog

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"testing"
)

// rfcHex decodes a value as RFC 6986 prints it (a big-endian integer) and
// reverses it into the little-endian byte string the algorithm actually
// processes and that gost12sum / openssl print.
func rfcHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test vector: %v", err)
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

const (
	// RFC 6986 §10.1: M1 is the 63 ASCII digits "0123...012"; the RFC prints
	// it reversed as 0x3231...30.
	m1RFC = "323130393837363534333231303938373635343332313039383736353433323130393837363534333231303938373635343332313039383736353433323130"
	// RFC 6986 §10.2: M2 is 72 bytes of CP1251 text, printed reversed.
	m2RFC = "fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2f120fff0eeec20f120faf2fee5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202ce8f0f2e5e220e5d1"
)

func TestRFC6986Examples(t *testing.T) {
	// All values below are copied as RFC 6986 prints them; rfcHex reverses
	// both message and digest, so the comparison is in gost-engine order.
	tests := []struct {
		name      string
		msg       string
		want512   string
		want256   string
		wantPlain string // the message as a Go string, when printable
	}{
		{
			name:      "M1",
			msg:       m1RFC,
			want512:   "486f64c1917879417fef082b3381a4e211c324f074654c38823a7b76f830ad00fa1fbae42b1285c0352f227524bc9ab16254288dd6863dccd5b9f54a1ad0541b",
			want256:   "00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d",
			wantPlain: "012345678901234567890123456789012345678901234567890123456789012",
		},
		{
			name:    "M2",
			msg:     m2RFC,
			want512: "28fbc9bada033b1460642bdcddb90c3fb3e56c497ccd0f62b8a2ad4935e85f037613966de4ee00531ae60f3b5a47f8dae06915d5f2f194996fcabf2622e6881e",
			want256: "508f7e553c06501d749a66fc28c6cac0b005746d97537fa85d9e40904efed29d",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := rfcHex(t, tc.msg)
			if tc.wantPlain != "" && string(msg) != tc.wantPlain {
				t.Fatalf("reversed message = %q, want %q", msg, tc.wantPlain)
			}
			got512 := Sum512(msg)
			if want := rfcHex(t, tc.want512); !bytes.Equal(got512[:], want) {
				t.Errorf("Sum512 = %x, want %x", got512, want)
			}
			got256 := Sum256(msg)
			if want := rfcHex(t, tc.want256); !bytes.Equal(got256[:], want) {
				t.Errorf("Sum256 = %x, want %x", got256, want)
			}
		})
	}
}

// TestGostEngineOrderLiteral pins the printed order without any reversal
// helper: this is what `gost12sum -l` prints for M1.
func TestGostEngineOrderLiteral(t *testing.T) {
	got := Sum512([]byte("012345678901234567890123456789012345678901234567890123456789012"))
	const want = "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"
	if hex.EncodeToString(got[:]) != want {
		t.Fatalf("Sum512(M1) = %x, want %s", got, want)
	}
}

// TestNCAKalkanDigest checks the fact recorded in
// testdata/nca/README.md (at the repository root) for signed/kalkan-xmldsig-gost2015-512.xml.
func TestNCAKalkanDigest(t *testing.T) {
	const want = "UX1fM667qTi5ZJqbz6PT7D0e4ZYwKsdKYjM5Qba/NcFKrdgp47RWI8e8eIGSE43PH+2vzEKeM+8JsgxnD10EOA=="
	sum := Sum512([]byte("<test>\n  <message>Hello</message>\n</test>"))
	if got := base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Fatalf("Sum512 = %s, want %s", got, want)
	}
}

func testMessage(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + n)
	}
	return p
}

func TestStreamingSplits(t *testing.T) {
	constructors := []struct {
		name string
		new  func() hash.Hash
		sum  func([]byte) []byte
	}{
		{"512", New512, func(p []byte) []byte { s := Sum512(p); return s[:] }},
		{"256", New256, func(p []byte) []byte { s := Sum256(p); return s[:] }},
	}
	lengths := []int{0, 1, 63, 64, 65, 127, 128, 129, 200}
	for _, c := range constructors {
		for _, n := range lengths {
			msg := testMessage(n)
			want := c.sum(msg)
			for split := 0; split <= n; split++ {
				h := c.new()
				h.Write(msg[:split])
				h.Write(msg[split:])
				if got := h.Sum(nil); !bytes.Equal(got, want) {
					t.Fatalf("%s len %d split %d: %x, want %x", c.name, n, split, got, want)
				}
			}
			h := c.new()
			for i := range msg {
				h.Write(msg[i : i+1])
			}
			if got := h.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("%s len %d byte-by-byte: %x, want %x", c.name, n, got, want)
			}
		}
	}
}

func TestSumKeepsStateAndReset(t *testing.T) {
	msg := testMessage(150)
	want := Sum512(msg)

	h := New512()
	h.Write(msg[:70])
	first := h.Sum([]byte("prefix"))
	if !bytes.HasPrefix(first, []byte("prefix")) || len(first) != len("prefix")+Size512 {
		t.Fatalf("Sum did not append: %x", first)
	}
	h.Write(msg[70:])
	if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
		t.Fatalf("after intermediate Sum: %x, want %x", got, want)
	}

	h.Reset()
	h.Write(msg)
	if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
		t.Fatalf("after Reset: %x, want %x", got, want)
	}

	h256 := New256()
	h256.Write([]byte("x"))
	h256.Reset()
	empty := Sum256(nil)
	if got := h256.Sum(nil); !bytes.Equal(got, empty[:]) {
		t.Fatalf("256 Reset did not restore IV: %x, want %x", got, empty)
	}
}

func TestSizes(t *testing.T) {
	tests := []struct {
		h    hash.Hash
		size int
	}{{New512(), Size512}, {New256(), Size256}}
	for _, tc := range tests {
		if tc.h.Size() != tc.size || tc.h.BlockSize() != BlockSize {
			t.Errorf("Size/BlockSize = %d/%d, want %d/%d", tc.h.Size(), tc.h.BlockSize(), tc.size, BlockSize)
		}
		if got := len(tc.h.Sum(nil)); got != tc.size {
			t.Errorf("len(Sum) = %d, want %d", got, tc.size)
		}
	}
}
