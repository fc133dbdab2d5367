package ber

import (
	"bytes"
	"errors"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// FuzzToDER feeds arbitrary bytes to ToDER. It must not panic; a success
// must be DER that normalises to itself and, for inputs under 64 KiB (where
// a definite length never needs more octets than an indefinite one), is no
// longer than the input; a failure must be a SyntaxError carrying a
// sentinel and an offset inside the input.
func FuzzToDER(f *testing.F) {
	for _, pfx := range testenv.Files(f, "*.p12", "testdata", "nca", "p12") {
		f.Add(pfx)
		f.Add(authSafeBER(f, pfx))
	}
	f.Add(kalkanCMS(f))
	for _, s := range []string{
		"3080 0201 05 0000",
		"2480 2480 0401 01 0000 0401 02 0000",
		"3E80 1E02 0041 1E02 0042 0000",
		"3F04 80 0401 AA 0000",
		"A080 2480 2406 0401 01 0401 02 0401 03 0000 0000",
		"0482 0001 AA",
		"9F8101 01 07",
	} {
		f.Add(testenv.Hex(f, s))
	}
	sentinels := []error{ErrTruncated, ErrTooDeep, ErrTooLarge, ErrTrailing, ErrTag, ErrLength, ErrEOC, ErrSegment}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := ToDER(in, Limits{})
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < -1 || se.Offset > len(in) {
				t.Fatalf("bad error %#v", err)
			}
			for _, s := range sentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error without sentinel: %v", err)
		}
		if err := checkDER(out); err != nil {
			t.Fatalf("output not DER: %v\nin  %X\nout %X", err, in, out)
		}
		if len(in) < 1<<16 && len(out) > len(in) {
			t.Fatalf("output grew from %d to %d bytes", len(in), len(out))
		}
		again, err := ToDER(out, Limits{})
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %v\nout   %X\nagain %X", err, out, again)
		}
	})
}
