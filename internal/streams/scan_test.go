package streams_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/streams"
)

// TestScanLeavesNoConsumer: Scan reads what its filter selects as of the
// call, in order, stops when told, and leaves no consumer behind however
// often it runs — where an ordered consumer left one per read for five
// minutes.
func TestScanLeavesNoConsumer(t *testing.T) {
	ctx := context.Background()
	js := startJS(t)
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "SCAN", Subjects: []string{"scan.>"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 600 {
		if _, err := js.Publish(ctx, fmt.Sprintf("scan.%d", i%2), fmt.Appendf(nil, "%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for range 20 {
		var got []string
		err := streams.Scan(ctx, js, "SCAN", jetstream.ConsumerConfig{FilterSubject: "scan.1"}, func(m jetstream.Msg) (bool, error) {
			got = append(got, string(m.Data()))
			return true, nil
		})
		if err != nil || len(got) != 300 || got[0] != "1" || got[299] != "599" {
			t.Fatalf("scan: %d messages %v…, %v; want the 300 odd ones in order", len(got), got[:min(3, len(got))], err)
		}
	}
	n := 0
	if err := streams.Scan(ctx, js, "SCAN", jetstream.ConsumerConfig{}, func(jetstream.Msg) (bool, error) {
		n++
		return n < 10, nil
	}); err != nil || n != 10 {
		t.Fatalf("stopped scan read %d, %v; want 10", n, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Consumers != 0 {
		t.Fatalf("%d consumers left on the stream after 21 scans", info.State.Consumers)
	}
}
