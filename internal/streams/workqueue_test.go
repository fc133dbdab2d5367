package streams_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/streams"
)

// TestWorkQueueBecomesLimits: a SALYQ_SUBMISSIONS made as a work queue
// (before the workers purged it themselves) is reported and kept; with
// --reconfigure it is recreated with limits retention only when empty,
// and refused, untouched, while it holds forms.
func TestWorkQueueBecomesLimits(t *testing.T) {
	ctx := context.Background()
	js := startJS(t)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: streams.Submissions, Subjects: []string{streams.SubmitPrefix + ">"},
		Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage, Duplicates: streams.DefaultDuplicateWindow}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, streams.SubmitSubject("900101300017"), []byte("<form/>")); err != nil {
		t.Fatal(err)
	}
	retention := func() jetstream.RetentionPolicy {
		t.Helper()
		s, err := js.Stream(ctx, streams.Submissions)
		if err != nil {
			t.Fatal(err)
		}
		return s.CachedInfo().Config.Retention
	}

	set, err := streams.Provision(ctx, js, streams.Config{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range set.Drift {
		found = found || (d.Name == streams.Submissions && d.Field == "retention")
	}
	if !found || retention() != jetstream.WorkQueuePolicy {
		t.Fatalf("drift %v, retention %v: want the work queue reported and kept", set.Drift, retention())
	}

	_, err = streams.Provision(ctx, js, streams.Config{Reconfigure: true})
	if !errors.Is(err, streams.ErrNotEmpty) || retention() != jetstream.WorkQueuePolicy {
		t.Fatalf("reconfigure with a form queued: %v, retention %v; want ErrNotEmpty and the queue kept", err, retention())
	}
	info, err := set.Submissions.Info(ctx)
	if err != nil || info.State.Msgs != 1 {
		t.Fatalf("queued form: %+v, %v; want it kept", info, err)
	}

	if err := set.Submissions.Purge(ctx); err != nil { // drained
		t.Fatal(err)
	}
	set, err = streams.Provision(ctx, js, streams.Config{Reconfigure: true})
	if err != nil {
		t.Fatal(err)
	}
	if retention() != jetstream.LimitsPolicy || len(set.Drift) != 0 {
		t.Fatalf("retention %v, drift %v after reconfiguring the empty queue", retention(), set.Drift)
	}
}

// TestRetiredStream: SALYQ_RECEIPTS, which an earlier version made, is
// reported and kept without --reconfigure and deleted with it, receipts
// and all (they are on the board too); after that nothing is reported.
func TestRetiredStream(t *testing.T) {
	ctx := context.Background()
	js := startJS(t)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "SALYQ_RECEIPTS", Subjects: []string{"salyq.receipts.>"},
		Retention: jetstream.WorkQueuePolicy}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "salyq.receipts.x", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	reported := func(cfg streams.Config) bool {
		t.Helper()
		set, err := streams.Provision(ctx, js, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range set.Drift {
			if d.Name == "SALYQ_RECEIPTS" {
				return true
			}
		}
		return false
	}
	exists := func() bool {
		t.Helper()
		_, err := js.Stream(ctx, "SALYQ_RECEIPTS")
		if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	if !reported(streams.Config{}) || !exists() {
		t.Fatal("without --reconfigure: want it reported and kept")
	}
	if reported(streams.Config{Reconfigure: true}) || exists() {
		t.Fatal("--reconfigure: want it deleted")
	}
	if reported(streams.Config{}) {
		t.Fatal("reported after the delete")
	}
}
