package pkcs12

import (
	"errors"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// FuzzDecode feeds arbitrary bytes to Decode. It must return typed errors,
// never panic; a successful decode must carry a key. The BER normaliser has
// its own fuzz target in package ber.
func FuzzDecode(f *testing.F) {
	for _, data := range testenv.Files(f, "*.p12", "testdata", "nca", "p12") {
		f.Add(data)
	}
	f.Add([]byte{0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00})
	f.Add([]byte{0x24, 0x80, 0x04, 0x01, 0x01, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Decode(data, ncaPassword)
		if err != nil {
			for _, want := range []error{ErrWrongPassword, ErrMalformed, ErrUnsupported, ErrNoKey, ErrSeveralKeys} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("untyped error %v", err)
		}
		if c.Key == nil {
			t.Fatal("nil key without error")
		}
	})
}
