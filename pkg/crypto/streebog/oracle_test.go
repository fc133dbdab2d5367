package streebog

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// oracleInputs returns random messages of lengths that straddle block
// boundaries, from a fixed seed so failures reproduce.
func oracleInputs() [][]byte {
	r := rand.New(rand.NewPCG(2012, 6986))
	lengths := []int{1, 63, 64, 65, 128, 1000 + r.IntN(64), r.IntN(300), 20*1024 + r.IntN(64)}
	out := make([][]byte, len(lengths))
	for i, n := range lengths {
		p := make([]byte, n)
		for j := range p {
			p[j] = byte(r.Uint32())
		}
		out[i] = p
	}
	return out
}

// runHex runs a tool with msg on stdin and returns the first hex field of
// its output that has the expected length.
func runHex(t *testing.T, msg []byte, size int, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(msg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v: %s", name, args, err, stderr.String())
	}
	for _, f := range strings.FieldsFunc(string(out), func(r rune) bool { return r == ' ' || r == '\n' || r == '=' }) {
		if len(f) == 2*size {
			if b, err := hex.DecodeString(f); err == nil {
				return b
			}
		}
	}
	t.Fatalf("%s %v: no %d-byte hex digest in output %q", name, args, size, out)
	return nil
}

func TestCrossCheckGost12sum(t *testing.T) {
	tool := testenv.Tool(t, "gost12sum", testenv.PkgGostsum)
	for _, msg := range oracleInputs() {
		s512 := Sum512(msg)
		if want := runHex(t, msg, Size512, tool, "-l"); !bytes.Equal(s512[:], want) {
			t.Errorf("len %d: Sum512 = %x, gost12sum -l = %x", len(msg), s512, want)
		}
		s256 := Sum256(msg)
		if want := runHex(t, msg, Size256, tool); !bytes.Equal(s256[:], want) {
			t.Errorf("len %d: Sum256 = %x, gost12sum = %x", len(msg), s256, want)
		}
	}
}

func TestCrossCheckOpenSSL(t *testing.T) {
	tool := testenv.OpenSSLGOST(t)
	base := []string{"dgst", "-provider", "gostprov", "-provider", "default"}
	for _, msg := range oracleInputs()[:4] {
		s512 := Sum512(msg)
		if want := runHex(t, msg, Size512, tool, append(base, "-md_gost12_512")...); !bytes.Equal(s512[:], want) {
			t.Errorf("len %d: Sum512 = %x, openssl = %x", len(msg), s512, want)
		}
		s256 := Sum256(msg)
		if want := runHex(t, msg, Size256, tool, append(base, "-md_gost12_256")...); !bytes.Equal(s256[:], want) {
			t.Errorf("len %d: Sum256 = %x, openssl = %x", len(msg), s256, want)
		}
	}
}
