package app

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// TestJournalRange: --from and --to take RFC 3339 or a date at midnight
// in Astana time, are both required, and in order; a bad one is a usage
// error before anything connects.
func TestJournalRange(t *testing.T) {
	from, to, err := parseRange("2026-03-01", "2026-03-02T09:30:00+05:00")
	if err != nil {
		t.Fatal(err)
	}
	if got := from.Format(time.RFC3339); got != "2026-03-01T00:00:00+05:00" {
		t.Errorf("from %s, want midnight in Astana time", got)
	}
	if !to.Equal(time.Date(2026, 3, 2, 4, 30, 0, 0, time.UTC)) {
		t.Errorf("to %v", to)
	}
	for _, args := range [][]string{
		{"journal", "export", "--to", "2026-03-02", "dir"},
		{"journal", "export", "--from", "2026-03-02", "--to", "2026-03-01", "dir"},
		{"journal", "export", "--from", "yesterday", "--to", "2026-03-01", "dir"},
		{"journal", "export", "--from", "2026-03-01", "--to", "2026-03-02"},
		{"journal", "show"},
	} {
		var out, errs bytes.Buffer
		// No NATS at this address: a usage error must come first.
		args = append(args, "--nats", "nats://127.0.0.1:1")
		if err := Main(context.Background(), args, IO{Out: &out, Err: &errs}); !errors.Is(err, ErrUsage) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}
