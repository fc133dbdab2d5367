package gost341194

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// Test vectors for the test parameter set. The first two are the examples
// of RFC 5831 §7.3.1; the others are the widely published vectors for the
// same parameter set (GOST R 34.11-94 test suite, as in e.g. Wikipedia and
// Perl's Digest::GOST). Sum returns exactly these byte strings, which is the
// order OpenSSL's gost engine prints and the order XMLDSig DigestValue uses
// (proved by TestNCASignedRequestDigest); gostsum -t prints them reversed.
var vectors = []struct {
	name string
	msg  string
	want string
}{
	{"rfc5831-32bytes", "This is message, length=32 bytes", "b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa"},
	{"rfc5831-50bytes", "Suppose the original message has length = 50 bytes", "471aba57a60a770d3a76130635c1fbea4ef14de51f78b4ae57dd893b62f55208"},
	{"empty", "", "ce85b99cc46752fffee35cab9a7b0278abb4c2d2055cff685af4912c49490f8d"},
	{"a", "a", "d42c539e367c66e9c88a801f6649349c21871b4344c6a573f849fdce62f314dd"},
	{"abc", "abc", "f3134348c44fb1b2a277729e2285ebb5cb5e0f29c975bc753b70497c06a4d51d"},
	{"message digest", "message digest", "ad4434ecb18f2c99b60cbe59ec3d2469582b65273f48de72db2fde16a4889a4d"},
	{"lazy dog", "The quick brown fox jumps over the lazy dog", "77b7fa410c9ac58a25f49bca7d0468c9296529315eaca76bd1a10f376d1f4294"},
	{"128 U", strings.Repeat("U", 128), "53a3a3ed25180cef0c1d85a074273e551c25660a87062a52d926a9e8fe5733a4"},
	{"1M a", strings.Repeat("a", 1000000), "5c00ccc2734cdd3332d3d4749576e3c1a7dbaf0e7ea74e9fa602413c90a129fa"},
}

func TestVectors(t *testing.T) {
	for _, tc := range vectors {
		t.Run(tc.name, func(t *testing.T) {
			want, err := hex.DecodeString(tc.want)
			if err != nil {
				t.Fatalf("bad hex: %v", err)
			}
			got := Sum([]byte(tc.msg))
			if !bytes.Equal(got[:], want) {
				t.Errorf("Sum = %x, want %x", got, want)
			}
			h := New()
			h.Write([]byte(tc.msg))
			if got := h.Sum(nil); !bytes.Equal(got, want) {
				t.Errorf("New().Sum = %x, want %x", got, want)
			}
		})
	}
}

func testMessage(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*13 + n)
	}
	return p
}

func TestStreamingSplits(t *testing.T) {
	for _, n := range []int{0, 1, 31, 32, 33, 63, 64, 65, 100} {
		msg := testMessage(n)
		want := Sum(msg)
		for split := 0; split <= n; split++ {
			h := New()
			h.Write(msg[:split])
			h.Write(msg[split:])
			if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
				t.Fatalf("len %d split %d: %x, want %x", n, split, got, want)
			}
		}
		h := New()
		for i := range msg {
			h.Write(msg[i : i+1])
		}
		if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Fatalf("len %d byte-by-byte: %x, want %x", n, got, want)
		}
	}
}

func TestSumKeepsStateAndReset(t *testing.T) {
	msg := testMessage(90)
	want := Sum(msg)
	h := New()
	h.Write(msg[:40])
	if mid := h.Sum([]byte{0xAA}); len(mid) != 1+Size || mid[0] != 0xAA {
		t.Fatalf("Sum did not append: %x", mid)
	}
	h.Write(msg[40:])
	if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
		t.Fatalf("after intermediate Sum: %x, want %x", got, want)
	}
	h.Reset()
	h.Write(msg)
	if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
		t.Fatalf("after Reset: %x, want %x", got, want)
	}
	if h.Size() != Size || h.BlockSize() != BlockSize {
		t.Fatalf("Size/BlockSize = %d/%d", h.Size(), h.BlockSize())
	}
}
