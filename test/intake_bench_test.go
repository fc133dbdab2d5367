package test

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/crypto/gost3410"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
)

var benchIntakeForms = flag.Int("intake-forms", 10000, "forms per BenchmarkIntake run")

// intakeEnv is the intake alone on an embedded JetStream that fsyncs
// every write (SALYQ_BENCH_SYNC overrides), with a keystore of GOST 2015-512 keys.
type intakeEnv struct {
	in        *intake.Intake
	keys      []*ncatest.Issued
	taxpayers []string
	next      int
}

func newIntakeEnv(b *testing.B) *intakeEnv {
	b.Helper()
	dir := b.TempDir()
	dur := broker.Durability{SyncAlways: true}
	if v := os.Getenv("SALYQ_BENCH_SYNC"); v != "" {
		dur, _ = broker.ParseDurability(v)
	}
	emb, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: filepath.Join(dir, "nats"), Durability: dur})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(emb.Shutdown)
	nc, js, err := broker.Connect(emb.URL(), "bench-intake")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nc.Close)
	ctx := context.Background()
	set, err := streams.Provision(ctx, js, streams.Config{DuplicateWindow: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	pki, err := ncatest.New(ncatest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	keyDir := filepath.Join(dir, "keys")
	os.MkdirAll(keyDir, 0o700)
	e := &intakeEnv{}
	var passwords []byte
	for i := range 4 {
		k, err := pki.Issue(ncatest.Request{Role: ncakey.RoleIndividual, Usage: ncakey.UsageSign, GOST: true})
		if err != nil {
			b.Fatal(err)
		}
		name := fmt.Sprintf("gost%d.p12", i)
		if err := k.WriteP12(filepath.Join(keyDir, name), "pw"); err != nil {
			b.Fatal(err)
		}
		passwords = fmt.Appendf(passwords, "%s pw\n", name)
		e.keys = append(e.keys, k)
		e.taxpayers = append(e.taxpayers, k.Identity().TaxpayerID())
	}
	os.WriteFile(filepath.Join(keyDir, ncakey.PasswordsFile), passwords, 0o600)
	ks, err := ncakey.OpenKeystore(keyDir, ncakey.KeystoreOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if p := ks.Problems(); len(p) > 0 {
		b.Fatalf("keystore problems: %v", p)
	}
	ts, err := envelope.LoadTemplates()
	if err != nil {
		b.Fatal(err)
	}
	e.in = intake.New(intake.Config{JS: js, Board: board.New(js, set), Keys: ks, Templates: ts, Clock: time.Now})
	return e
}

// forms makes n new forms (each run's are new), signed by their
// taxpayer's key as an ERP would if presigned, on every core.
func (e *intakeEnv) forms(b *testing.B, n int, presigned bool) [][]byte {
	first := e.next
	e.next += n
	out := make([][]byte, n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				out[i] = app.SampleForm(e.taxpayers, first+i)
				if !presigned {
					continue
				}
				f := mustParse(b, out[i])
				key := e.keys[0]
				for j, tp := range e.taxpayers {
					if tp == f.Taxpayer {
						key = e.keys[j]
					}
				}
				s, err := envelope.SignForm(context.Background(), f, key.Signer(), envelope.SignOptions{Now: time.Now()})
				if err != nil {
					b.Error(err)
					return
				}
				out[i] = s
			}
		})
	}
	wg.Wait()
	return out
}

// gostRates measures GOST 2015-512 signing and verification of a digest
// on one core (this goroutine), about half a second each.
func gostRates(b *testing.B) (sign, verify float64) {
	key, err := gost3410.GenerateKey(gost3410.TC26512A(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	digest := make([]byte, 64)
	rand.Read(digest)
	var sig []byte
	rate := func(op func()) float64 {
		n, start := 0, time.Now()
		for time.Since(start) < 500*time.Millisecond {
			op()
			n++
		}
		return float64(n) / time.Since(start).Seconds()
	}
	sign = rate(func() {
		if sig, err = key.Sign(rand.Reader, digest); err != nil {
			b.Fatal(err)
		}
	})
	verify = rate(func() {
		if !key.Public().Verify(digest, sig) {
			b.Fatal("GOST signature does not verify")
		}
	})
	return sign, verify
}

// BenchmarkIntake reports the batch intake's forms/s (SubmitBatch: checks
// and GOST signing or verification on every core, pipelined publishes to
// JetStream with fsync on every write, each form answered after its
// PubAck) for -intake-forms new forms, keystore-signed and presigned by
// the ERP, next to GOST 2015-512 sign and verify per second on one core
// in the same run. Run with -benchtime 1x.
func BenchmarkIntake(b *testing.B) {
	for _, c := range []struct {
		name      string
		presigned bool
	}{{"keystore-signed", false}, {"presigned", true}} {
		b.Run(c.name, func(b *testing.B) {
			e := newIntakeEnv(b)
			n := *benchIntakeForms
			for range b.N {
				b.StopTimer()
				forms := e.forms(b, n, c.presigned)
				b.StartTimer()
				start := time.Now()
				stored := 0
				items := func(yield func(intake.Item) bool) {
					for _, f := range forms {
						if !yield(intake.Item{Data: f}) {
							return
						}
					}
				}
				err := e.in.SubmitBatch(context.Background(), items, func(r intake.ItemResult) {
					if r.Err != nil || r.Result.Duplicate {
						b.Errorf("form %d: %+v %v", r.Index, r.Result, r.Err)
						return
					}
					stored++
				})
				elapsed := time.Since(start)
				if err != nil || stored != n {
					b.Fatalf("%d of %d stored: %v", stored, n, err)
				}
				b.StopTimer()
				sign, verify := gostRates(b)
				b.StartTimer()
				b.ReportMetric(float64(n)/elapsed.Seconds(), "forms/s")
				b.ReportMetric(sign, "sign/s/core")
				b.ReportMetric(verify, "verify/s/core")
			}
		})
	}
}
