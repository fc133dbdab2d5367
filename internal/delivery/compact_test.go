package delivery_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/sonosim"
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
