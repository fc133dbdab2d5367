package cms

import "testing"

// BenchmarkParseVerify measures a full check of the Kalkan sample: two
// GOST verifications (512-bit and 256-bit curves), three hashes, and the
// certificate parsing.
func BenchmarkParseVerify(b *testing.B) {
	der := sample(b)
	b.ReportAllocs()
	for b.Loop() {
		sd, err := Parse(der)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sd.Verify(nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "CMS/s")
}
