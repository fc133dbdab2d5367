package app

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// TestAdminOutputs: JSON lists print [] when empty, never null; replaying
// a dead letter that does not exist is an error; human times are in
// Kazakhstan's zone.
func TestAdminOutputs(t *testing.T) {
	ctx := context.Background()
	rt, natsURL := provisioned(t)
	rt.Close() // provisioned, as a service leaves it
	run := func(cmd []string, args ...string) (string, error) {
		var out, errs bytes.Buffer
		all := append(append(cmd, "--nats", natsURL, "--data", t.TempDir()), args...)
		err := Main(ctx, all, IO{Out: &out, Err: &errs})
		return out.String(), err
	}
	for _, args := range [][]string{{"status", "--json"}, {"dlq", "list", "--json"}} {
		out, err := run(args)
		if err != nil || out != "[]\n" {
			t.Errorf("%v: %q, %v; want []", args, out, err)
		}
	}
	if _, err := run([]string{"dlq", "replay"}, "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("replay of an unknown id: %v, want ErrNotFound", err)
	}
	if got := humanTime(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)); got != "2026-12-07T15:00:00+05:00" {
		t.Errorf("humanTime = %s", got)
	}
}
