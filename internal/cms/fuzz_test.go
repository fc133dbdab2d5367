package cms

import (
	"errors"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse and, when they parse, to Verify
// with embedded and with supplied content. Nothing may panic, and every
// error must be one of the documented kinds.
func FuzzParse(f *testing.F) {
	der := sample(f)
	f.Add(der)
	f.Add(parseTree(f, der).ber())
	f.Add([]byte{0x30, 0x80, 0x00, 0x00})
	known := []error{ErrMalformed, ErrDigestMismatch, ErrBadSignature, ErrNoCertificate,
		ErrUnsupported, ErrNoContent, ErrContentConflict, ErrNotTimestampAuthority}
	classified := func(err error) bool {
		for _, k := range known {
			if errors.Is(err, k) {
				return true
			}
		}
		return false
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		sd, err := Parse(in)
		if err != nil {
			if !classified(err) {
				t.Fatalf("unclassified Parse error: %v", err)
			}
			return
		}
		for _, content := range [][]byte{nil, sampleContent} {
			signers, err := sd.Verify(content)
			if err != nil && !classified(err) {
				t.Fatalf("unclassified Verify error: %v", err)
			}
			if err == nil && len(signers) == 0 {
				t.Fatal("verified without signers")
			}
		}
	})
}
