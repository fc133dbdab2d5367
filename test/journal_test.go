package test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestJournal: a small batch through a gateway that answers with 503s,
// SOAP faults and lost answers. The exchange journal holds every request
// the sandbox received, each with its answer as received — faults as
// faults, lost answers as "no answer" without a body — in Astana time,
// per submission its sends and the polls that followed it; no password
// or key material; and `salyq journal export` writes it out so that it
// reads back the same.
func TestJournal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	const keyPassword, senderPassword = "key-Pa55word-x9", "sender-Pa55-q7"
	h := newHarness(t, harnessOptions{taxpayers: 4, keyPassword: keyPassword, senderPassword: senderPassword,
		faults: sonosim.Faults{HTTP503Rate: 0.08, TransientRate: 0.08, DropAfterAcceptRate: 0.3}})
	begin := time.Now()
	h.start()
	s := submitGood(t, h, 30)
	checkOutcome(t, h, s, time.Minute)
	// Every handler has returned: whatever was asked of the gateway is
	// in the journal by now.
	h.halt()
	end := time.Now()
	ctx := context.Background()
	st := h.sim.Stats()
	r := journal.NewReader(h.rt.JS)

	all := append(append([]string(nil), s.ids...), s.duplicate)
	perID := map[string][]journal.Record{}
	for _, id := range all {
		v, err := h.rt.Board.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := r.BySubmission(ctx, v.Taxpayer, id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		perID[id] = recs
		checkSubmission(t, id, v.RequestID, string(v.Status), recs, id == s.duplicate)
	}

	got, err := r.Range(ctx, begin, end)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, recs := range perID {
		n += len(recs)
	}
	if len(got) != n {
		t.Errorf("the range holds %d exchanges, the submissions %d", len(got), n)
	}
	count := map[string]int{}
	seen := map[string]bool{}
	for _, rec := range got {
		checkRecord(t, rec, begin, end)
		if seen[rec.MessageID] {
			t.Errorf("messageId %s journaled twice", rec.MessageID)
		}
		seen[rec.MessageID] = true
		if rec.Outcome != journal.OutcomeNotSent {
			count[rec.Service]++
		}
		switch {
		case rec.Outcome == journal.OutcomeNoAnswer:
			count["no answer"]++
		case rec.HTTPStatus == 503 && strings.HasPrefix(rec.Answer, "503 "):
			count["http503"]++
		case rec.Code == envelope.FaultTechnical:
			count["transient"]++
		}
	}
	// Every request the gateway received, of both services, and every
	// fault it injected, is in the journal as what it was.
	for what, want := range map[string]int64{
		envelope.ServiceSend: st.Requests[envelope.ServiceSend], envelope.ServiceStatus: st.Requests[envelope.ServiceStatus],
		"http503": st.Faults["http503"], "transient": st.Faults["transient"], "no answer": st.Drops,
	} {
		if int64(count[what]) != want {
			t.Errorf("journal holds %d %s, the sandbox saw %d", count[what], what, want)
		}
	}
	if st.Drops == 0 || st.Faults["http503"] == 0 || st.Faults["transient"] == 0 {
		t.Errorf("the batch met too few faults to prove anything: %+v", st)
	}
	t.Logf("journal: %d exchanges %v; sandbox requests %v faults %v drops %d", len(got), count, st.Requests, st.Faults, st.Drops)

	checkNoSecrets(t, h, got, keyPassword, senderPassword)

	// salyq journal export, read back.
	dir := filepath.Join(t.TempDir(), "export")
	var out, errs bytes.Buffer
	args := []string{"journal", "export", "--from", begin.Format(time.RFC3339Nano), "--to", end.Format(time.RFC3339Nano),
		"--nats", h.rt.Cfg.NATS, "--data", t.TempDir(), dir}
	if err := app.Main(ctx, args, app.IO{Out: &out, Err: &errs}); err != nil {
		t.Fatalf("journal export: %v\n%s", err, errs.String())
	}
	back, err := journal.ReadExport(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(got) {
		t.Fatalf("export holds %d exchanges, the journal %d", len(back), len(got))
	}
	for i := range got {
		want := got[i]
		want.Latency = want.Latency.Truncate(time.Microsecond)
		if !back[i].At.Equal(want.At) {
			t.Errorf("exported exchange %d at %v, want %v", i, back[i].At, want.At)
		}
		back[i].At = want.At
		if !reflect.DeepEqual(back[i], want) {
			t.Errorf("exported exchange %d differs:\n got %s\nwant %s", i, summary(back[i:i+1]), summary([]journal.Record{want}))
		}
	}

	// salyq journal show of a form whose answer was lost.
	for id, recs := range perID {
		var lost *journal.Record
		for i := range recs {
			if recs[i].Outcome == journal.OutcomeNoAnswer {
				lost = &recs[i]
			}
		}
		if lost == nil {
			continue
		}
		out.Reset()
		if err := app.Main(ctx, []string{"journal", "show", id, "--xml", "--nats", h.rt.Cfg.NATS, "--data", t.TempDir()},
			app.IO{Out: &out, Err: &errs}); err != nil {
			t.Fatalf("journal show: %v\n%s", err, errs.String())
		}
		text := out.String()
		for _, want := range []string{lost.MessageID, "no answer", "--- no answer", "+05:00", envelope.ServiceStatus, "<password>***</password>"} {
			if !strings.Contains(text, want) {
				t.Errorf("journal show %s lacks %q:\n%s", id, want, text)
			}
		}
		break
	}
}

// checkSubmission: a submission's exchanges hold its sends and, once
// filed, the status polls that followed it to its final status.
func checkSubmission(t *testing.T, id, requestID, status string, recs []journal.Record, refused bool) {
	t.Helper()
	var sends, polls []journal.Record
	for _, r := range recs {
		if r.ID != id {
			t.Errorf("%s: record of %s", id, r.ID)
		}
		switch r.Service {
		case envelope.ServiceSend:
			sends = append(sends, r)
		case envelope.ServiceStatus:
			polls = append(polls, r)
		}
	}
	if len(sends) == 0 {
		t.Errorf("%s: no send journaled: %s", id, summary(recs))
		return
	}
	if refused {
		last := sends[len(sends)-1]
		if last.Code != envelope.CodeDuplicate || last.Outcome != "permanent" || !strings.Contains(last.Answer, envelope.CodeDuplicate) {
			t.Errorf("%s: the refused send is journaled as %s %s", id, last.Outcome, last.Code)
		}
		return
	}
	// The filing is established by the send's receipt or, when its
	// answer was lost, by the status check of its messageId.
	filed := false
	for _, send := range sends {
		switch send.Outcome {
		case "success":
			filed = filed || send.RequestID == requestID
		case journal.OutcomeNoAnswer:
			for _, p := range polls {
				filed = filed || p.Outcome == "success" && p.RequestID == requestID && strings.Contains(p.Request, send.MessageID)
			}
		}
	}
	var final *journal.Record
	for i := range polls {
		if polls[i].Outcome == "success" && polls[i].RequestID == requestID {
			final = &polls[i]
		}
	}
	if !filed || final == nil {
		t.Errorf("%s: filing (%v) or status polls (%v) of %s missing: %s", id, filed, final != nil, requestID, summary(recs))
		return
	}
	if !strings.Contains(final.Answer, requestID) || !strings.Contains(final.Answer, status) {
		t.Errorf("%s: the last poll's answer does not carry %s and %s:\n%.2000s", id, requestID, status, final.Answer)
	}
}

// checkRecord: one exchange as the journal must hold it.
func checkRecord(t *testing.T, r journal.Record, begin, end time.Time) {
	t.Helper()
	if r.At.Before(begin) || r.At.After(end) || !strings.HasSuffix(r.At.Format(time.RFC3339), "+05:00") {
		t.Errorf("%s: time %s outside the run or not in Astana time", r.MessageID, r.At.Format(time.RFC3339Nano))
	}
	if r.MessageID == "" || !strings.Contains(r.Request, "<messageId>"+r.MessageID+"</messageId>") ||
		!strings.Contains(r.Request, "<serviceId>"+r.Service+"</serviceId>") {
		t.Errorf("%s: the request is not the one sent:\n%.2000s", r.MessageID, r.Request)
	}
	if r.Latency <= 0 {
		t.Errorf("%s: latency %v", r.MessageID, r.Latency)
	}
	switch r.Outcome {
	case journal.OutcomeNoAnswer:
		if r.Answer != "" || r.HTTPStatus != 0 || r.Class != "ambiguous" {
			t.Errorf("%s: a lost answer journaled with status %d class %s answer %q", r.MessageID, r.HTTPStatus, r.Class, r.Answer)
		}
	case journal.OutcomeNotSent:
		t.Errorf("%s: not sent (the sandbox was always up): %s", r.MessageID, summary([]journal.Record{r}))
	default:
		if r.HTTPStatus == 0 || r.Answer == "" || r.Outcome != r.Class {
			t.Errorf("%s: an answered exchange journaled as %s (answer %d bytes)", r.MessageID, summary([]journal.Record{r}), len(r.Answer))
		}
	}
}

// checkNoSecrets: neither password, nor the taxpayers' or the
// organisation's private keys in any encoding, in any record or stored
// message of the journal.
func checkNoSecrets(t *testing.T, h *harness, recs []journal.Record, secrets ...string) {
	t.Helper()
	keys, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	needles := append([]string{"PRIVATE KEY", "gateway-secret"}, secrets...)
	for _, is := range append(append(keys.taxpayers[:4:4], keys.transport), keys.gateway) {
		k := is.PrivateKey()
		pkcs8, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		pkcs1 := x509.MarshalPKCS1PrivateKey(k)
		d := k.D.Bytes()
		needles = append(needles, base64.StdEncoding.EncodeToString(pkcs8)[8:64], base64.StdEncoding.EncodeToString(pkcs1)[8:64],
			base64.StdEncoding.EncodeToString(d)[:40], hex.EncodeToString(d)[:40], k.D.String()[:40])
	}
	info, err := h.rt.Streams.Journal.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		m, err := h.rt.Streams.Journal.GetMsg(context.Background(), seq)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, string(m.Data))
	}
	for _, r := range recs {
		stored = append(stored, r.Request, r.Answer)
	}
	for _, s := range stored {
		for _, n := range needles {
			if strings.Contains(s, n) {
				t.Fatalf("the journal holds a secret (%.12s…)", n)
			}
		}
	}
	if !strings.Contains(stored[0], "<password>***</password>") {
		t.Errorf("the sender password is not shown redacted: %.400s", stored[0])
	}
}

// summary is one line per record, without the XML.
func summary(recs []journal.Record) string {
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "\n  %s %s %s request %s: %s %s %q http %d, %v, %d+%d bytes", r.At.Format(time.RFC3339Nano), r.Service,
			r.MessageID, r.RequestID, r.Outcome, r.Code, r.Reason, r.HTTPStatus, r.Latency, len(r.Request), len(r.Answer))
	}
	return b.String()
}
