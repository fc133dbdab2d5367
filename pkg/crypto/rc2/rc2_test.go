package rc2

import (
	"bytes"
	"crypto/cipher"
	"errors"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// rfc2268Vectors are all eight test vectors of RFC 2268 §5.
var rfc2268Vectors = []struct {
	key, plain, cipher string
	bits               int
}{
	{"0000000000000000", "0000000000000000", "ebb773f993278eff", 63},
	{"ffffffffffffffff", "ffffffffffffffff", "278b27e42e2f0d49", 64},
	{"3000000000000000", "1000000000000001", "30649edf9be7d2c2", 64},
	{"88", "0000000000000000", "61a8a244adacccf0", 64},
	{"88bca90e90875a", "0000000000000000", "6ccf4308974c267f", 64},
	{"88bca90e90875a7f0f79c384627bafb2", "0000000000000000", "1a807d272bbe5db1", 64},
	{"88bca90e90875a7f0f79c384627bafb2", "0000000000000000", "2269552ab0f85ca6", 128},
	{"88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e", "0000000000000000", "5b78d3a43dfff1f1", 129},
}

func TestRFC2268Vectors(t *testing.T) {
	for i, v := range rfc2268Vectors {
		key, pt, ct := testenv.Hex(t, v.key), testenv.Hex(t, v.plain), testenv.Hex(t, v.cipher)
		c, err := NewCipher(key, v.bits)
		if err != nil {
			t.Fatalf("vector %d: NewCipher: %v", i, err)
		}
		got := make([]byte, BlockSize)
		c.Encrypt(got, pt)
		if !bytes.Equal(got, ct) {
			t.Errorf("vector %d: Encrypt = %x, want %x", i, got, ct)
		}
		c.Decrypt(got, ct)
		if !bytes.Equal(got, pt) {
			t.Errorf("vector %d: Decrypt = %x, want %x", i, got, pt)
		}
		// In-place operation, as CBC decryption of a PKCS#12 bag does.
		buf := append([]byte(nil), pt...)
		c.Encrypt(buf, buf)
		c.Decrypt(buf, buf)
		if !bytes.Equal(buf, pt) {
			t.Errorf("vector %d: in-place round trip = %x, want %x", i, buf, pt)
		}
	}
}

func TestCBCRoundTrip(t *testing.T) {
	// The PKCS#12 shape: 5-byte key, 40 effective bits, 8-byte IV.
	key := []byte{0x01, 0x23, 0x45, 0x67, 0x89}
	iv := []byte("initvect")
	plain := bytes.Repeat([]byte("certificate bag! "), 7)[:112]
	c, err := NewCipher(key, 40)
	if err != nil {
		t.Fatalf("NewCipher: %v", err)
	}
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(c, iv).CryptBlocks(ct, plain)
	if bytes.Equal(ct[:BlockSize], plain[:BlockSize]) {
		t.Fatalf("ciphertext equals plaintext")
	}
	got := make([]byte, len(ct))
	cipher.NewCBCDecrypter(c, iv).CryptBlocks(got, ct)
	if !bytes.Equal(got, plain) {
		t.Fatalf("CBC round trip = %q, want %q", got, plain)
	}
	// A different effective length is a different cipher.
	c2, err := NewCipher(key, 64)
	if err != nil {
		t.Fatalf("NewCipher: %v", err)
	}
	ct2 := make([]byte, len(plain))
	cipher.NewCBCEncrypter(c2, iv).CryptBlocks(ct2, plain)
	if bytes.Equal(ct, ct2) {
		t.Fatalf("40-bit and 64-bit ciphertexts are equal")
	}
}

func TestNewCipherErrors(t *testing.T) {
	tests := []struct {
		name    string
		keyLen  int
		bits    int
		want    error
		wantTyp any
	}{
		{"empty key", 0, 40, ErrKeySize, &KeySizeError{}},
		{"long key", 129, 40, ErrKeySize, &KeySizeError{}},
		{"zero bits", 5, 0, ErrEffectiveBits, &EffectiveBitsError{}},
		{"negative bits", 5, -8, ErrEffectiveBits, &EffectiveBitsError{}},
		{"too many bits", 5, 1025, ErrEffectiveBits, &EffectiveBitsError{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCipher(bytes.Repeat([]byte{0x42}, tc.keyLen), tc.bits)
			if err == nil || c != nil {
				t.Fatalf("NewCipher = %v, %v; want error", c, err)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.want)
			}
			switch tc.wantTyp.(type) {
			case *KeySizeError:
				var e *KeySizeError
				if !errors.As(err, &e) || e.Len != tc.keyLen {
					t.Errorf("error %v is not *KeySizeError{%d}", err, tc.keyLen)
				}
			case *EffectiveBitsError:
				var e *EffectiveBitsError
				if !errors.As(err, &e) || e.Bits != tc.bits {
					t.Errorf("error %v is not *EffectiveBitsError{%d}", err, tc.bits)
				}
			}
			if bytes.Contains([]byte(err.Error()), []byte{0x42}) {
				t.Errorf("error message leaks key bytes: %q", err)
			}
		})
	}
	// Boundaries are accepted.
	for _, tc := range []struct{ keyLen, bits int }{{1, 1}, {128, 1024}, {5, 40}} {
		if _, err := NewCipher(make([]byte, tc.keyLen), tc.bits); err != nil {
			t.Errorf("NewCipher(%d bytes, %d bits): %v", tc.keyLen, tc.bits, err)
		}
	}
}

func TestPITableIsPermutation(t *testing.T) {
	var seen [256]bool
	for _, v := range piTable {
		if seen[v] {
			t.Fatalf("PITABLE repeats %#x", v)
		}
		seen[v] = true
	}
}

func TestBlockSize(t *testing.T) {
	c, err := NewCipher([]byte{1, 2, 3, 4, 5}, 40)
	if err != nil {
		t.Fatalf("NewCipher: %v", err)
	}
	if c.BlockSize() != 8 {
		t.Fatalf("BlockSize = %d, want 8", c.BlockSize())
	}
}
