package rc2

import (
	"crypto/cipher"
	"testing"
)

func BenchmarkEncryptBlock(b *testing.B) {
	c, err := NewCipher([]byte{1, 2, 3, 4, 5}, 40)
	if err != nil {
		b.Fatal(err)
	}
	var blk [BlockSize]byte
	b.SetBytes(BlockSize)
	for b.Loop() {
		c.Encrypt(blk[:], blk[:])
	}
}

func BenchmarkCBCDecrypt4KB(b *testing.B) {
	c, err := NewCipher([]byte{1, 2, 3, 4, 5}, 40)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 4096)
	iv := make([]byte, BlockSize)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		cipher.NewCBCDecrypter(c, iv).CryptBlocks(buf, buf)
	}
}

func BenchmarkNewCipher(b *testing.B) {
	key := []byte{1, 2, 3, 4, 5}
	for b.Loop() {
		if _, err := NewCipher(key, 40); err != nil {
			b.Fatal(err)
		}
	}
}
