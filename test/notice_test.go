package test

import (
	"bytes"
	"context"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/client"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestNoticeReachesStatus: the sandbox refuses a form and issues a
// refusal notice with the reason; the notice reaches the board's record,
// one event of kind notice on SALYQ_STATUS, the API's answer (validated
// against openapi.json) and `salyq status ID`, dated in Astana time.
func TestNoticeReachesStatus(t *testing.T) {
	h := newHarness(t, harnessOptions{taxpayers: 1, weights: sonosim.Weights{Rejected: 1}})
	h.start()
	ctx := context.Background()
	res, err := h.api().Submit(ctx, app.SampleForms(h.taxpayers, 1)[0])
	if err != nil {
		t.Fatal(err)
	}
	v := h.waitFinal([]string{res.ID}, time.Minute)[res.ID]
	if v.Status != sonosim.StatusNotAccepted {
		t.Fatalf("ended %q, want %q", v.Status, sonosim.StatusNotAccepted)
	}
	// The final status and its notice are published together; the board
	// may show the status a moment before the notice's entry.
	waitFor(t, 10*time.Second, func() bool {
		v, _ = h.rt.Board.Get(ctx, res.ID)
		return len(v.Notices) > 0
	})
	if len(v.Notices) != 1 {
		t.Fatalf("board notices %+v", v.Notices)
	}
	n := v.Notices[0]
	if n.Type != envelope.NoticeRefusal || n.Number == "" || !strings.Contains(n.Text, v.Reason) || v.Reason == "" {
		t.Fatalf("board notice %+v, reason %q", n, v.Reason)
	}
	if _, off := n.At.Zone(); off != 5*3600 {
		t.Errorf("notice dated %v, want Astana time", n.At)
	}

	// SALYQ_STATUS: one notice event.
	hist, err := h.rt.Board.History(ctx, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	var evs []board.Event
	for _, e := range hist {
		if e.Kind == board.EventNotice {
			evs = append(evs, e)
		}
	}
	if len(evs) != 1 || evs[0].Notice == nil || evs[0].Notice.Number != n.Number || evs[0].Notice.Type != n.Type ||
		evs[0].Notice.Text != n.Text || !evs[0].Notice.At.Equal(n.At) || evs[0].To != sonosim.StatusNotAccepted {
		t.Fatalf("notice events %+v", evs)
	}

	// The API.
	st, err := h.api().Status(ctx, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Notices) != 1 || st.Notices[0].Number != n.Number || st.Notices[0].Text != n.Text {
		t.Fatalf("API notices %+v", st.Notices)
	}
	apiEvents := 0
	for _, e := range st.History {
		if e.Kind == client.EventNotice && e.Notice != nil && e.Notice.Number == n.Number {
			apiEvents++
		}
	}
	if apiEvents != 1 {
		t.Fatalf("API history %+v: %d notice events", st.History, apiEvents)
	}

	// salyq status ID.
	var out, errs bytes.Buffer
	err = app.Main(ctx, []string{"status", "--nats", h.rt.Cfg.NATS, "--data", t.TempDir(), res.ID}, app.IO{Out: &out, Err: &errs})
	if err != nil {
		t.Fatalf("salyq status: %v\n%s", err, errs.String())
	}
	when := n.At.Format(time.RFC3339)
	for _, want := range []string{"notices from the tax office:", n.Number + "  " + envelope.NoticeRefusal + "  " + when, n.Text,
		when + "  notice " + n.Number + ": " + envelope.NoticeRefusal} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("salyq status lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.HasSuffix(when, "+05:00") {
		t.Errorf("notice time %s is not Astana time", when)
	}
	t.Logf("salyq status:\n%s", out.String())
}

// TestLateNoticeAfterFinal: the sandbox issues some desk audit notices
// a few status steps after the form's final status, as the tax office
// does weeks later. With a notice watch the poller goes on asking about
// final forms, and every notice the sandbox issued reaches the board,
// dated after the final status, as one notice event each; the form stays
// final. (That the watch ends is TestNoticeWatch's, under a fake clock.)
func TestLateNoticeAfterFinal(t *testing.T) {
	const step = 40 * time.Millisecond
	addr := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
	h := newHarness(t, harnessOptions{taxpayers: 2, step: step, weights: sonosim.Weights{Posted: 1}, http: addr,
		noticeWatch: 40 * step, noticeEvery: 3 * step})
	h.start()
	ctx := context.Background()
	// One accepted form in four gets a late notice, chosen by a hash of
	// its request id: rounds of 12 forms until some have one (five
	// rounds without one: a chance of 3 in 10^8).
	var ids []string
	final := map[string]board.View{}
	issued := map[string][]envelope.Notice{}
	late := 0
	for round := 0; late == 0; round++ {
		if round == 5 {
			t.Fatalf("the sandbox issued no notice after the final status of %d forms", len(ids))
		}
		var batch []string
		for i := 12 * round; i < 12*(round+1); i++ {
			res, err := h.api().Submit(ctx, app.SampleForm(h.taxpayers, i))
			if err != nil {
				t.Fatal(err)
			}
			batch = append(batch, res.ID)
		}
		maps.Copy(final, h.waitFinal(batch, time.Minute))
		for _, id := range batch {
			v := final[id]
			ns, ok := h.sim.Notices(v.RequestID, time.Now().Add(time.Hour))
			if !ok {
				t.Fatalf("%s: the sandbox has no filing %s", id, v.RequestID)
			}
			issued[id] = ns
			for _, n := range ns {
				if n.Date.After(v.SonoAt) {
					late++
				}
			}
		}
		ids = append(ids, batch...)
	}
	waitFor(t, 30*time.Second, func() bool {
		for _, id := range ids {
			v, err := h.rt.Board.Get(ctx, id)
			if err != nil || len(v.Notices) != len(issued[id]) {
				return false
			}
		}
		return true
	})
	for _, id := range ids {
		v, err := h.rt.Board.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != final[id].Status || !v.Terminal {
			t.Errorf("%s: %s after its notices, was final %s", id, v.Status, final[id].Status)
		}
		for i, n := range issued[id] {
			got := v.Notices[i]
			// The wire carries milliseconds.
			if got.Number != n.Number || got.Type != n.Type || got.At.Sub(n.Date).Abs() >= time.Millisecond || got.Text != n.Text {
				t.Errorf("%s: board notice %+v, the sandbox issued %+v", id, got, n)
			}
		}
		hist, err := h.rt.Board.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		events := 0
		for _, e := range hist {
			if e.Kind == board.EventNotice {
				events++
			}
		}
		if events != len(issued[id]) {
			t.Errorf("%s: %d notice events for %d notices", id, events, len(issued[id]))
		}
	}
	// Every notice counted once, by type.
	audits := 0
	for _, ns := range issued {
		audits += len(ns)
	}
	if got := testkit.Scrape(t, "http://"+addr+"/metrics").Get(t, "salyq_notices_total", "type", "desk-audit"); got != float64(audits) {
		t.Errorf("salyq_notices_total{type=desk-audit} = %v, want the %d notices issued", got, audits)
	}
	t.Logf("%d forms, %d notices issued after the final status, all on the board", len(ids), late)
}
