package delivery_test

import (
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/envelope"
)

// testClock runs at the speed of real time from base, jumps when set,
// and stands still when frozen, counting how often it is read.
type testClock struct {
	mu     sync.Mutex
	base   time.Time
	origin time.Time
	frozen bool
	reads  int
}

func newTestClock(base time.Time) *testClock { return &testClock{base: base, origin: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	if c.frozen {
		return c.base
	}
	return c.base.Add(time.Since(c.origin))
}

// set moves the clock to t, running.
func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.origin, c.frozen = t, time.Now(), false
}

// freeze stops the clock at t.
func (c *testClock) freeze(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.frozen, c.reads = t, true, 0
}

// readTimes reports whether the clock was read n times since it was
// made or frozen.
func (c *testClock) readTimes(n int) func() bool {
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.reads >= n
	}
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, with a deadline
	}
}

func astana(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05", s, envelope.Almaty())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// delivered is how many deliveries the worker consumer has made.
func delivered(t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	cons, err := js.Consumer(ctx, streams.Submissions, streams.ConsumerWorker)
	if err != nil {
		t.Fatal(err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.Delivered.Consumer
}

// checkSentAfter checks that submission id was filed by one attempt made
// at or after end, with no failed attempt counted.
func checkSentAfter(t *testing.T, r *rig, id string, end time.Time) {
	t.Helper()
	rec, _, err := delivery.NewJournal(r.board).Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != "sent" || rec.Attempts != 0 || rec.FirstAttempt.Before(end) {
		t.Errorf("%s: state %s, %d attempts spent, first attempt %v; want sent by one attempt at or after %v",
			id, rec.State, rec.Attempts, rec.FirstAttempt, end)
	}
}

func nightly(t *testing.T) breaks.Schedule {
	t.Helper()
	s, err := breaks.Parse("21:00-22:00")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWorkerPausesThroughBreak: a break begins while the worker runs. It
// stops fetching (logged), a form submitted during the break is neither
// sent nor even delivered before the break ends, and is sent after it,
// on its own, with no attempt spent.
func TestWorkerPausesThroughBreak(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	r.policy.Breaks = nightly(t)
	clock := newTestClock(astana(t, "2026-12-07 20:00:00"))
	var logs testenv.Buffer
	receipts := reader(t, r.js, streams.Status)
	stop := r.runChecked(t, func(c *delivery.Config) {
		c.Clock, c.BreakCheck = clock.Now, 20*time.Millisecond
		c.Log = slog.New(slog.NewTextHandler(&logs, nil))
	})
	r.publish(t, "sub-before", r.signedForm(t, envelope.KindRegular, 1_000_000), envelope.KindRegular)
	if rc := nextReceipt(t, receipts, 15*time.Second); rc.ID != "sub-before" {
		t.Fatalf("receipt %+v", rc)
	}

	clock.set(astana(t, "2026-12-07 21:00:00"))
	waitFor(t, 5*time.Second, "the pause", func() bool { return strings.Contains(logs.String(), "planned break: sending paused") })
	if !strings.Contains(logs.String(), "until=2026-12-07T22:00:00+05:00") {
		t.Errorf("the pause does not say until when:\n%s", logs.String())
	}
	r.publish(t, "sub-in-break", r.signedForm(t, envelope.KindAdditional, 2_000_000), envelope.KindAdditional)
	// The break lasts an hour of the clock: the form is not sent while it
	// lasts, however long the test looks.
	if st := r.sim.Stats(); st.Requests[envelope.ServiceSend] != 1 {
		t.Fatalf("sent during the break: %v", st.Requests)
	}

	end := astana(t, "2026-12-07 22:00:00")
	clock.set(end)
	if rc := nextReceipt(t, receipts, 15*time.Second); rc.ID != "sub-in-break" {
		t.Fatalf("receipt %+v", rc)
	}
	settle(t, r.js, 5*time.Second)
	stop()
	checkSentAfter(t, r, "sub-in-break", end)
	if !strings.Contains(logs.String(), "planned break over: sending resumed") {
		t.Errorf("the end of the break is not logged:\n%s", logs.String())
	}
	// One delivery each: the break cost the form no delivery (MaxDeliver).
	if n := delivered(t, r.js); n != 2 {
		t.Errorf("%d deliveries of 2 forms", n)
	}
	if st := r.sim.Stats(); st.Requests[envelope.ServiceSend] != 2 || st.FilingsAccepted != 2 {
		t.Errorf("sandbox %+v", st)
	}
}

// TestWorkerStartsInBreak: a worker started during a break sends a form
// submitted then only once the break is over, by the clock's own course.
func TestWorkerStartsInBreak(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	r.policy.Breaks = nightly(t)
	end := astana(t, "2026-12-07 22:00:00")
	clock := newTestClock(end.Add(-time.Second))
	receipts := reader(t, r.js, streams.Status)
	r.publish(t, "sub-night", r.signedForm(t, envelope.KindRegular, 1_000_000), envelope.KindRegular)
	stop := r.runChecked(t, func(c *delivery.Config) { c.Clock = clock.Now })
	if rc := nextReceipt(t, receipts, 15*time.Second); rc.ID != "sub-night" {
		t.Fatalf("receipt %+v", rc)
	}
	stop()
	checkSentAfter(t, r, "sub-night", end)
	if n := delivered(t, r.js); n != 1 {
		t.Errorf("%d deliveries", n)
	}
}

// TestWorkerNaksInBreak: the worker has not noticed the break yet (its
// clock was set forward, and it looks only every hour) and fetches a
// form a second before its end: the form is handed back until the break's end, with no
// attempt spent and nothing sent, and filed after it.
func TestWorkerNaksInBreak(t *testing.T) {
	r := newRig(t, sonosim.Faults{})
	r.policy.Breaks = nightly(t)
	clock := newTestClock(astana(t, "2026-12-07 20:00:00"))
	receipts := reader(t, r.js, streams.Status)
	stop := r.runChecked(t, func(c *delivery.Config) { c.Clock, c.BreakCheck = clock.Now, time.Hour })
	// Running: it looked for a break when it started, and its watch for
	// the next one sleeps.
	waitFor(t, 5*time.Second, "the worker's start", clock.readTimes(2))
	form := r.signedForm(t, envelope.KindRegular, 1_000_000)
	end := astana(t, "2026-12-07 22:00:00")
	clock.freeze(end.Add(-time.Second))
	r.publish(t, "sub-fetched", form, envelope.KindRegular)
	// The worker reads the clock next when it decides whether to send;
	// the form is handed back for the second left of the break.
	waitFor(t, 5*time.Second, "the delivery in the break", clock.readTimes(1))
	clock.set(end)
	if rc := nextReceipt(t, receipts, 15*time.Second); rc.ID != "sub-fetched" {
		t.Fatalf("receipt %+v", rc)
	}
	stop()
	checkSentAfter(t, r, "sub-fetched", end)
	if n := delivered(t, r.js); n != 2 {
		t.Errorf("%d deliveries, want 2: one in the break, one after", n)
	}
	if st := r.sim.Stats(); st.Requests[envelope.ServiceSend] != 1 {
		t.Errorf("sandbox %+v", st)
	}
}
