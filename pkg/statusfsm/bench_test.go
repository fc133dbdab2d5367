package statusfsm

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"

	bolt "go.etcd.io/bbolt"
)

// populate writes n forms in state st, scheduled notDueAt (zero: not
// scheduled), plus due forms scheduled in the past, in large transactions.
func populate(b *testing.B, s *Store, n, due int, st Status, notDueAt time.Time) {
	b.Helper()
	const perTx = 10000
	write := func(from, to int, prefix string, at func(i int) time.Time) {
		for lo := from; lo < to; lo += perTx {
			hi := min(lo+perTx, to)
			err := s.db.Update(func(tx *bolt.Tx) error {
				for i := lo; i < hi; i++ {
					f := &Form{ID: fmt.Sprintf("%s%08d", prefix, i), Created: t0, RequestID: "r", Taxpayer: "880101300123", FormCode: "910.00"}
					if _, err := s.record(tx, f, st, Meta{Source: "bench"}, recordOpts{}); err != nil {
						return err
					}
					if err := setNextPoll(tx, f, at(i)); err != nil {
						return err
					}
					if err := putForm(tx, f); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	write(0, n, "later-", func(int) time.Time { return notDueAt })
	write(0, due, "due-", func(i int) time.Time { return t0.Add(-time.Duration(i+1) * time.Second) })
}

// BenchmarkDue shows that Due's cost depends on the number of due forms
// returned, not on the number of forms scheduled later.
func BenchmarkDue(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("notdue=%d", n), func(b *testing.B) {
			clk := testenv.NewClock(t0)
			s := openTest(b, filepath.Join(b.TempDir(), "bench.db"), clk)
			populate(b, s, n, 100, StateSent, t0.Add(time.Hour))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				due, err := s.Due(t0, 100)
				if err != nil || len(due) != 100 {
					b.Fatalf("due = %d, %v", len(due), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/form")
		})
	}
}

// BenchmarkTransition measures one compare-and-set transition on a store
// of 100k forms, with and without fsync per transaction.
func BenchmarkTransition(b *testing.B) {
	for _, sync := range []bool{true, false} {
		b.Run(fmt.Sprintf("forms=100000/fsync=%v", sync), func(b *testing.B) {
			const n = 100_000
			clk := testenv.NewClock(t0)
			path := filepath.Join(b.TempDir(), "bench.db")
			s := openTest(b, path, clk)
			populate(b, s, n, 0, StateQueued, time.Time{})
			if sync {
				s.db.NoSync = false
			}
			b.ResetTimer()
			i := 0
			for b.Loop() {
				id := fmt.Sprintf("later-%08d", i%n)
				from, to := StateQueued, StateSending
				if (i/n)%2 == 1 {
					from, to = StateSending, StateQueued
				}
				if _, err := s.Transition(ctx, id, from, to, Meta{Source: "bench"}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
