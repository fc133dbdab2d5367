package gost341194

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// TestCrossCheckGostsum compares Sum with `gostsum -t` (test parameter set)
// on random inputs. gostsum prints the digest bytes in reverse order
// relative to OpenSSL's gost engine and to XMLDSig DigestValue, so its
// output is reversed before comparing. Empty input is left out: gostsum
// prints bd298bcf…351d89 for it, which matches neither order of the
// published empty-string vector that Sum reproduces (see TestVectors).
func TestCrossCheckGostsum(t *testing.T) {
	tool := testenv.Tool(t, "gostsum", testenv.PkgGostsum)
	r := rand.New(rand.NewPCG(3411, 94))
	lengths := []int{1, 31, 32, 33, 64, 1 + r.IntN(200), 1000 + r.IntN(100), 20*1024 + r.IntN(32)}
	for _, n := range lengths {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(r.Uint32())
		}
		cmd := exec.Command(tool, "-t")
		cmd.Stdin = bytes.NewReader(msg)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("gostsum -t: %v: %s", err, stderr.String())
		}
		fields := strings.Fields(string(out))
		if len(fields) == 0 {
			t.Fatalf("gostsum -t: empty output")
		}
		want, err := hex.DecodeString(fields[0])
		if err != nil || len(want) != Size {
			t.Fatalf("gostsum -t: unexpected output %q", out)
		}
		slices.Reverse(want)
		if got := Sum(msg); !bytes.Equal(got[:], want) {
			t.Errorf("len %d: Sum = %x, reversed gostsum -t = %x", n, got, want)
		}
	}
}
