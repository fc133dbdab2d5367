package statusfsm_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/salyq/salyq/pkg/statusfsm"
)

// ExampleStore follows one form through the store as the poller does: a
// delivery receipt puts it in the schedule as sent, a status poll brings
// SONO's history, and every change is recorded once, in order, with the
// move's class — a poll repeated after a crash changes nothing.
func ExampleStore() {
	dir, err := os.MkdirTemp("", "statusfsm-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	s, err := statusfsm.Open(filepath.Join(dir, "status.db"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	ctx := context.Background()
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	if _, _, err := s.ApplyReceipt(ctx, "sub-1", statusfsm.Receipt{RequestID: "req-1", Taxpayer: "900101300017", FormCode: "910.00", At: t0}); err != nil {
		fmt.Println(err)
		return
	}
	history := []statusfsm.Event{
		{Status: "Отправлена", At: t0.Add(time.Minute)},
		{Status: "Принята, но не разобрана", At: t0.Add(2 * time.Minute)},
		{Status: "Разнесена", At: t0.Add(3 * time.Minute)},
	}
	for range 2 { // the second poll is a repeat
		if _, err := s.Apply(ctx, "sub-1", statusfsm.SourcePoll, history); err != nil {
			fmt.Println(err)
			return
		}
	}
	entries, err := s.History("sub-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range entries {
		fmt.Printf("%d %s → %s (%s)\n", e.Seq, e.From, e.To, e.Move)
	}
	f, _ := s.Get("sub-1")
	fmt.Println("terminal:", s.Table().Terminal(f.State))
	// Output:
	// 1  → sent (expected)
	// 2 sent → Отправлена (expected)
	// 3 Отправлена → Принята, но не разобрана (expected)
	// 4 Принята, но не разобрана → Разнесена (expected)
	// terminal: true
}
