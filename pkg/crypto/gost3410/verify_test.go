package gost3410

import (
	"crypto/rand"
	"errors"
	"sync"
	"testing"
)

func TestKeyCacheLRU(t *testing.T) {
	kc := newKeyCache(2)
	a, b, c := []byte("a"), []byte("b"), []byte("c")
	if tab, build := kc.lookup(a); tab != nil || build {
		t.Fatal("first sight of a key: no table, nothing to build")
	}
	if tab, build := kc.lookup(a); tab != nil || !build {
		t.Fatal("second sight of a key: build its table")
	}
	want := &oddTable{}
	kc.store(a, want)
	if tab, build := kc.lookup(a); tab != want || build {
		t.Fatal("third sight: the stored table")
	}
	kc.lookup(b)
	kc.lookup(c) // evicts a, the least recently used
	if keys, tables := kc.len(); keys != 2 || tables != 0 {
		t.Fatalf("cache holds %d keys, %d tables; want 2, 0", keys, tables)
	}
	if tab, build := kc.lookup(a); tab != nil || build {
		t.Fatal("an evicted key starts over")
	}
	kc.store([]byte("gone"), want) // not cached: ignored
	if _, tables := kc.len(); tables != 0 {
		t.Fatal("a table was stored for a key the cache does not hold")
	}
}

// TestVerifyCachedAndCold: the first verification with a key (one-tooth
// table), the second (builds the cached table) and later ones (use it)
// accept and reject the same signatures, on every curve.
func TestVerifyCachedAndCold(t *testing.T) {
	for _, c := range allCurves() {
		t.Run(c.Name(), func(t *testing.T) {
			key, err := GenerateKey(c, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			pub := key.Public()
			digest := make([]byte, c.Size())
			rand.Read(digest)
			sig, err := key.Sign(rand.Reader, digest)
			if err != nil {
				t.Fatal(err)
			}
			bad := append([]byte(nil), digest...)
			bad[0] ^= 1
			for round := range 4 {
				if err := pub.verify(digest, sig, false); err != nil {
					t.Fatalf("round %d, uncached: %v", round, err)
				}
				if err := pub.VerifyErr(digest, sig); err != nil {
					t.Fatalf("round %d, cache: %v", round, err)
				}
				if err := pub.verify(bad, sig, false); !errors.Is(err, ErrVerification) {
					t.Fatalf("round %d, uncached, other digest: %v", round, err)
				}
				if err := pub.VerifyErr(bad, sig); !errors.Is(err, ErrVerification) {
					t.Fatalf("round %d, cache, other digest: %v", round, err)
				}
			}
			c.keys.mu.Lock()
			el, ok := c.keys.byKey[string(pub.raw)]
			c.keys.mu.Unlock()
			if !ok || el.Value.(*keyEntry).tab == nil {
				t.Fatal("a key verified eight times has no cached table")
			}
		})
	}
}

// TestVerifyConcurrent verifies with one key from several goroutines while
// its table is built (run with -race).
func TestVerifyConcurrent(t *testing.T) {
	c := CryptoProA()
	key, err := GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	digest := make([]byte, c.Size())
	rand.Read(digest)
	sig, err := key.Sign(rand.Reader, digest)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 4 {
				if err := key.Public().VerifyErr(digest, sig); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
