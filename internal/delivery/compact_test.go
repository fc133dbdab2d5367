package delivery_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestCompactRemovesDelivered: SALYQ_SUBMISSIONS keeps its messages until
// a worker purges those below the consumer's ack floor: once every form
// is filed and acknowledged, the stream is empty.
func TestCompactRemovesDelivered(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	stop := r.runChecked(t, func(c *delivery.Config) { c.CompactEvery = 20 * time.Millisecond })
	defer stop()
	for i := range 5 {
		r.publish(t, fmt.Sprintf("sub-%d", i), r.signedForm(t, envelope.KindAdditional, 1000+i), envelope.KindAdditional)
	}
	settle(t, r.js, 15*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := r.set.Submissions.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs == 0 && info.State.LastSeq == 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("submissions stream holds %d messages (last %d) after all were delivered", info.State.Msgs, info.State.LastSeq)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
	}
	if st := r.sim.Stats(); st.FilingsAccepted != 5 || st.DuplicateFilings != 0 {
		t.Errorf("sandbox: %d filed, %d twice", st.FilingsAccepted, st.DuplicateFilings)
	}
}

// TestWorkQueueLayoutStillWorks: on a SALYQ_SUBMISSIONS made as a work
// queue by an earlier version (kept until --reconfigure recreates it),
// the worker files every form, the acks empty the queue, and compact
// leaves it alone.
func TestWorkQueueLayoutStillWorks(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	cfg := r.set.Submissions.CachedInfo().Config
	if err := r.js.DeleteStream(ctx, streams.Submissions); err != nil {
		t.Fatal(err)
	}
	cfg.Retention = jetstream.WorkQueuePolicy
	s, err := r.js.CreateStream(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.set.Submissions = s
	receipts := reader(t, r.js, streams.Status)
	stop := r.runChecked(t, func(c *delivery.Config) { c.CompactEvery = 20 * time.Millisecond })
	defer stop()
	for i := range 3 {
		r.publish(t, fmt.Sprintf("sub-wq-%d", i), r.signedForm(t, envelope.KindAdditional, 2000+i), envelope.KindAdditional)
	}
	for range 3 {
		nextReceipt(t, receipts, 15*time.Second)
	}
	settle(t, r.js, 10*time.Second)
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Retention != jetstream.WorkQueuePolicy || info.State.Msgs != 0 {
		t.Errorf("work queue: retention %v, %d messages left", info.Config.Retention, info.State.Msgs)
	}
	if st := r.sim.Stats(); st.FilingsAccepted != 3 || st.DuplicateFilings != 0 {
		t.Errorf("sandbox: %d filed, %d twice", st.FilingsAccepted, st.DuplicateFilings)
	}
}
