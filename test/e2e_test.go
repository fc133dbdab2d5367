package test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/client"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// faulty is the gateway of a bad quarter-end day.
var faulty = sonosim.Faults{
	HTTP503Rate:         0.04,
	TransientRate:       0.04,
	ThrottleRPS:         150,
	Latency:             2 * time.Millisecond,
	TailRate:            0.02,
	TailLatency:         300 * time.Millisecond,
	DropAfterAcceptRate: 0.04,
	Maintenance:         sonosim.Maintenance{Every: 3 * time.Second, For: 150 * time.Millisecond},
}

type badForm struct {
	name  string
	doc   []byte
	field string // the field the refusal must name
}

// badForms are refused at intake; they must not disturb anything else.
func badForms(taxpayer string) []badForm {
	good := string(app.SampleForms([]string{taxpayer}, 1)[0])
	return []badForm{
		{"malformed", []byte("<fno code="), "document"},
		{"doctype", []byte(`<!DOCTYPE fno [<!ENTITY x "y">]><fno/>`), "DOCTYPE"},
		{"bad check digit", []byte(strings.Replace(good, taxpayer, taxpayer[:11]+string(rune('0'+(taxpayer[11]-'0'+1)%10)), 1)), "iin"},
		{"unknown version", []byte(strings.Replace(good, `version="27"`, `version="26"`, 1)), "fno/@version"},
		{"period outside window", []byte(strings.ReplaceAll(good, `"period_year">2023`, `"period_year">2027`)), "period"},
		{"no kind", []byte(strings.Replace(good, `name="dt_regular">1`, `name="dt_regular">0`, 1)), "dt_main"},
		{"unknown field", []byte(strings.Replace(good, `<field name="currency_code">`, `<field name="no_such">1</field><field name="currency_code">`, 1)), "no_such"},
		{"no key for taxpayer", []byte(strings.ReplaceAll(good, taxpayer, "880101300010")), "iin"},
	}
}

type submitted struct {
	ids       []string
	duplicate string // id of the second regular form of a period: SONO refuses it
}

// submitAll puts the batch and the bad forms through the intake's HTTP
// API, every call validated against openapi.json.
func submitAll(t *testing.T, h *harness, n int) submitted {
	t.Helper()
	s := submitGood(t, h, n)
	for _, b := range badForms(h.taxpayers[0]) {
		_, err := h.api().Submit(context.Background(), b.doc)
		var r *client.APIError
		if !errors.As(err, &r) || !errors.Is(err, client.ErrRefused) {
			t.Errorf("bad form %q: %v, want a 422 refusal", b.name, err)
			continue
		}
		if r.Field != b.field || r.Reason == "" {
			t.Errorf("bad form %q: refusal %+v does not name %q with a reason", b.name, r, b.field)
		}
	}
	return s
}

// submitGood puts n sample forms, one resubmission and a second regular
// form of a period (which SONO refuses) through the intake's HTTP API.
func submitGood(t *testing.T, h *harness, n int) submitted {
	t.Helper()
	in := h.api()
	ctx := context.Background()
	forms := app.SampleForms(h.taxpayers, n)
	var s submitted
	seen := map[string]bool{}
	for i, f := range forms {
		res, err := in.Submit(ctx, f)
		if err != nil {
			t.Fatalf("form %d refused: %v", i, err)
		}
		if res.Duplicate || seen[res.ID] {
			t.Fatalf("form %d reported as a duplicate", i)
		}
		seen[res.ID] = true
		s.ids = append(s.ids, res.ID)
	}
	// The same form again is the same submission.
	again, err := in.Submit(ctx, forms[0])
	if err != nil || !again.Duplicate || again.ID != s.ids[0] {
		t.Fatalf("resubmission: %+v %v", again, err)
	}
	// A second regular filing of a taxpayer and period that already has
	// one: the intake cannot know, SONO refuses it, it is dead-lettered.
	second := strings.Replace(string(forms[0]), `"field_910_00_001">`, `"field_910_00_001">9`, 1)
	res, err := in.Submit(ctx, []byte(second))
	if err != nil {
		t.Fatalf("second regular form: %v", err)
	}
	s.duplicate = res.ID
	return s
}

// checkOutcome asserts every form ended exactly once and nothing was filed
// twice.
func checkOutcome(t *testing.T, h *harness, s submitted, timeout time.Duration) {
	t.Helper()
	all := append(append([]string(nil), s.ids...), s.duplicate)
	views := h.waitFinal(all, timeout)
	table := statusfsm.DefaultTable()
	outcomes := map[string]int{}
	for _, id := range s.ids {
		v := views[id]
		info := table.Info(v.Status)
		if v.Status == statusfsm.StateFailedDelivery || info.Kind != statusfsm.KindSONO || !info.Terminal {
			t.Errorf("%s ended in %q (%s), want a terminal SONO status", id, v.Status, v.Reason)
		}
		outcomes[string(v.Status)]++
	}
	// SONO refuses the second regular form while the first stands; once
	// the first is rejected (a tenth of the sandbox's filings are), the
	// second is a filing of its own and must end like any other.
	dup, first := views[s.duplicate], views[s.ids[0]]
	wantFilings := int64(len(s.ids))
	switch {
	case dup.Status == statusfsm.StateFailedDelivery && strings.Contains(dup.Reason, envelope.CodeDuplicate):
	case first.Status == sonosim.StatusNotAccepted && table.Info(dup.Status).Kind == statusfsm.KindSONO && table.Terminal(dup.Status):
		wantFilings++
	default:
		t.Errorf("second regular form ended %q (%s), first %q: want a dead letter naming DUPLICATE, or a filing after the first was rejected", dup.Status, dup.Reason, first.Status)
	}
	st := h.sim.Stats()
	if st.DuplicateFilings != 0 {
		t.Errorf("the sandbox saw %d duplicate filings: %v", st.DuplicateFilings, st.RepeatedFilings)
	}
	if st.FilingsAccepted != wantFilings {
		t.Errorf("the sandbox accepted %d filings, want exactly %d", st.FilingsAccepted, wantFilings)
	}
	t.Logf("outcomes %v; sandbox: %d filings, faults %v, drops %d, refusals %v", outcomes, st.FilingsAccepted, st.Faults, st.Drops, st.Refusals)
}

// TestEndToEnd: 500 forms plus bad ones through a faulty gateway.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	h := newHarness(t, harnessOptions{taxpayers: 8, faults: faulty})
	h.start()
	s := submitAll(t, h, 500)
	checkOutcome(t, h, s, 3*time.Minute)
	if st := h.sim.Stats(); st.Drops == 0 || len(st.Faults) == 0 {
		t.Errorf("the faults were not exercised: %+v", st)
	}
}

// TestRestart stops worker and poller mid-batch, twice, and restarts them.
func TestRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	h := newHarness(t, harnessOptions{taxpayers: 8, faults: faulty})
	h.start()
	s := submitAll(t, h, 200)
	for _, filed := range []int64{40, 120} {
		// Mid-batch: some forms filed, most not final.
		waitFor(t, 2*time.Minute, func() bool { return h.sim.Stats().FilingsAccepted > filed })
		h.halt()
		h.start()
	}
	checkOutcome(t, h, s, 4*time.Minute)
}

func waitFor(t *testing.T, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(errors.New("condition not met in time"))
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
	}
}

// TestTwoWorkers runs two workers on one consumer (as two processes
// would): the journal's leases keep each submission to one sender.
func TestTwoWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	h := newHarness(t, harnessOptions{taxpayers: 8, faults: sonosim.Faults{DropAfterAcceptRate: 0.05, TransientRate: 0.05}})
	h.start()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, h.rt, app.Parts{Worker: true}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("second worker: %v", err)
		}
	})
	s := submitGood(t, h, 200)
	checkOutcome(t, h, s, 2*time.Minute)
	// Both workers must have filed forms: with one idle, this test would
	// prove nothing about two workers sharing the consumer and the journal.
	journal := delivery.NewJournal(h.rt.Board)
	by := map[string]int{}
	for _, id := range s.ids {
		rec, _, err := journal.Load(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		by[rec.SentBy]++
	}
	if len(by) != 2 || by[""] != 0 {
		t.Errorf("forms filed per worker: %v; want two workers sharing the batch", by)
	} else {
		t.Logf("forms filed per worker: %v", by)
	}
}
