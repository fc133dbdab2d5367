package gost3410

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
)

func benchSign(b *testing.B, c *Curve) {
	key, err := GenerateKey(c, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	digest := make([]byte, c.Size())
	rand.Read(digest)
	if _, err := key.Sign(rand.Reader, digest); err != nil { // builds the table
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := key.Sign(rand.Reader, digest); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sig/s")
}

func BenchmarkSign512(b *testing.B)           { benchSign(b, TC26512A()) }
func BenchmarkSign256CryptoProA(b *testing.B) { benchSign(b, CryptoProA()) }
func BenchmarkSign256TC26A(b *testing.B)      { benchSign(b, TC26256A()) }

func BenchmarkVerify512(b *testing.B) {
	c := TC26512A()
	key, err := GenerateKey(c, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	digest := make([]byte, 64)
	rand.Read(digest)
	sig, err := key.Sign(rand.Reader, digest)
	if err != nil {
		b.Fatal(err)
	}
	pub := key.Public()
	b.ResetTimer()
	for b.Loop() {
		if !pub.Verify(digest, sig) {
			b.Fatal("verify failed")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verify/s")
}

func BenchmarkSignRSA2048(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("salyq"))
	b.ResetTimer()
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sig/s")
}

func BenchmarkFieldMul512(b *testing.B) {
	f := TC26512A().f
	x, y := TC26512A().gx, TC26512A().gy
	for b.Loop() {
		f.mul(&x, &x, &y)
	}
}
