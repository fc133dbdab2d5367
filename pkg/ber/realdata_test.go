package ber

import (
	"bytes"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// TestRealDERIsIdentity checks that real DER (NCA containers' outer layer,
// the Kalkan CMS) comes back byte for byte: signatures cover these bytes.
func TestRealDERIsIdentity(t *testing.T) {
	inputs := testenv.Files(t, "*.p12", "testdata", "nca", "p12")
	inputs["kalkan-cms"] = kalkanCMS(t)
	for name, in := range inputs {
		out, err := ToDER(in, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(out, in) {
			t.Errorf("%s: DER input changed", name)
		}
	}
}

// TestRealKalkanBER normalises the BER authSafe of every NCA container.
func TestRealKalkanBER(t *testing.T) {
	for name, pfx := range testenv.Files(t, "*.p12", "testdata", "nca", "p12") {
		in := authSafeBER(t, pfx)
		out, err := ToDER(in, Limits{MaxSize: 4 << 20, MaxDepth: 48})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bytes.Equal(out, in) {
			t.Errorf("%s: authSafe is already DER; the BER path is untested", name)
		}
		if len(out) > len(in) {
			t.Errorf("%s: DER (%d bytes) longer than BER (%d)", name, len(out), len(in))
		}
		if err := checkDER(out); err != nil {
			t.Errorf("%s: output not DER: %v", name, err)
		}
		again, err := ToDER(out, Limits{})
		if err != nil || !bytes.Equal(again, out) {
			t.Errorf("%s: not idempotent: %v", name, err)
		}
	}
}
