package gost3410

import (
	"encoding/asn1"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/crypto/streebog"
)

// TestOpenSSLGOSTSignatures verifies signatures made by OpenSSL's gost
// engine, with keys it generated, on every curve: the first verification
// of a key (one-tooth table), the one that builds the cached table and the
// cached ones must all accept them and reject a changed digest.
func TestOpenSSLGOSTSignatures(t *testing.T) {
	engine := testenv.OpenSSLGOSTEngine(t)
	tests := []struct {
		alg, paramset, md string
		c                 *Curve
		hash              func([]byte) []byte
	}{
		{"gost2012_512", "A", "-md_gost12_512", TC26512A(), func(b []byte) []byte { h := streebog.Sum512(b); return h[:] }},
		{"gost2012_256", "A", "-md_gost12_256", CryptoProA(), func(b []byte) []byte { h := streebog.Sum256(b); return h[:] }},
		{"gost2012_256", "TCA", "-md_gost12_256", TC26256A(), func(b []byte) []byte { h := streebog.Sum256(b); return h[:] }},
	}
	for _, tc := range tests {
		t.Run(tc.c.Name(), func(t *testing.T) {
			dir := t.TempDir()
			run := func(args ...string) {
				t.Helper()
				if out, err := exec.Command(engine, args...).CombinedOutput(); err != nil {
					t.Fatalf("openssl %v: %v\n%s", args, err, out)
				}
			}
			key, pubDER := filepath.Join(dir, "key.pem"), filepath.Join(dir, "pub.der")
			run("genpkey", "-engine", "gost", "-algorithm", tc.alg, "-pkeyopt", "paramset:"+tc.paramset, "-out", key)
			run("pkey", "-engine", "gost", "-in", key, "-pubout", "-outform", "DER", "-out", pubDER)
			der, err := os.ReadFile(pubDER)
			if err != nil {
				t.Fatal(err)
			}
			var spki struct {
				Alg asn1.RawValue
				Key asn1.BitString
			}
			var raw []byte
			if _, err := asn1.Unmarshal(der, &spki); err != nil {
				t.Fatal(err)
			}
			if _, err := asn1.Unmarshal(spki.Key.Bytes, &raw); err != nil {
				t.Fatal(err)
			}
			pub, err := NewPublicKey(tc.c, raw)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				msg := []byte{byte(i), 's', 'a', 'l', 'y', 'q'}
				msgFile, sigFile := filepath.Join(dir, "msg"), filepath.Join(dir, "sig")
				os.WriteFile(msgFile, msg, 0o600)
				run("dgst", "-engine", "gost", tc.md, "-sign", key, "-out", sigFile, msgFile)
				sig, err := os.ReadFile(sigFile)
				if err != nil {
					t.Fatal(err)
				}
				slices.Reverse(sig) // OpenSSL's s_BE ‖ r_BE to NCA's r_LE ‖ s_LE
				digest := tc.hash(msg)
				bad := slices.Clone(digest)
				bad[1] ^= 4
				for round := range 3 {
					if err := pub.verify(digest, sig, false); err != nil {
						t.Fatalf("message %d round %d, uncached: %v", i, round, err)
					}
					if err := pub.VerifyErr(digest, sig); err != nil {
						t.Fatalf("message %d round %d, cache: %v", i, round, err)
					}
					if err := pub.VerifyErr(bad, sig); !errors.Is(err, ErrVerification) {
						t.Fatalf("message %d round %d: changed digest: %v", i, round, err)
					}
				}
			}
		})
	}
}
