package test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/sonosim"
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
