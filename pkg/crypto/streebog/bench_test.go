package streebog

import (
	"fmt"
	"testing"
)

func BenchmarkSum512(b *testing.B) {
	for _, n := range []int{64, 1024, 20 * 1024} {
		msg := testMessage(n)
		b.Run(fmt.Sprintf("%dB", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				Sum512(msg)
			}
		})
	}
}

func BenchmarkSum256_20KB(b *testing.B) {
	msg := testMessage(20 * 1024)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		Sum256(msg)
	}
}

// BenchmarkCompress measures one g_N call, the unit of all other costs.
func BenchmarkCompress(b *testing.B) {
	var h, n, m block
	m[0] = 1
	for b.Loop() {
		compress(&h, &n, &m)
	}
	b.ReportMetric(float64(BlockSize)*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
}
