package journal_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/envelope"
)

const senderPassword = "gateway-s3cret"

// request is a SyncChannel request as the codec writes one, password and
// all.
func request(messageID string) string {
	return `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		`<ns2:SendMessage xmlns:ns2="http://bip.bee.kz/SyncChannel/v10/Types"><request><requestInfo>` +
		`<messageId>` + messageID + `</messageId><serviceId>SONO_FNO_SEND</serviceId>` +
		`<sender><senderId>salyq</senderId><password>` + senderPassword + `</password></sender>` +
		`</requestInfo></request></ns2:SendMessage></soap:Body></soap:Envelope>`
}

func outcome(service, messageID string, at time.Time, answered, connected bool) gateway.Outcome {
	ex := &gateway.Exchange{Service: service, MessageID: messageID, At: at, Latency: 1234567 * time.Nanosecond,
		Request: []byte(request(messageID)), Connected: connected}
	o := gateway.Outcome{Class: gateway.Ambiguous, Reason: "no answer", Exchange: ex}
	if answered {
		ex.HTTPStatus, ex.Answer = 200, []byte(`<answer>`+messageID+`</answer>`)
		o = gateway.Outcome{Class: gateway.Success, Receipt: &envelope.Receipt{RequestID: "R-" + messageID}, Exchange: ex}
	}
	return o
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<password>p</password>`, `<password>***</password>`},
		{`<x:password a="1">p w</x:password >`, `<x:password a="1">***</x:password >`},
		{`<password><![CDATA[p<w]]></password>`, `<password>***</password>`},
		{"<a>" + senderPassword + "</a><password/>", "<a>***</a><password/>"},
		{`<passwordHint>x</passwordHint>`, `<passwordHint>x</passwordHint>`},
	} {
		if got := journal.Redact(tc.in, senderPassword, "", "ab"); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestNew: the outcome label of answered, lost and unsent exchanges, and
// no record for an outcome without a request.
func TestNew(t *testing.T) {
	at := time.Date(2026, 3, 1, 19, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		answered, connected bool
		want                string
	}{{true, true, "success"}, {false, true, journal.OutcomeNoAnswer}, {false, false, journal.OutcomeNotSent}} {
		r, ok := journal.New("S1", "820909361064", "", outcome(envelope.ServiceSend, "m1", at, tc.answered, tc.connected))
		if !ok || r.Outcome != tc.want {
			t.Errorf("answered %v connected %v: outcome %q, want %q", tc.answered, tc.connected, r.Outcome, tc.want)
		}
		if got := r.At.Format(time.RFC3339); got != "2026-03-02T00:30:00+05:00" {
			t.Errorf("time %s, want Astana time", got)
		}
		if tc.answered != (r.Answer != "") || (tc.answered && r.RequestID != "R-m1") {
			t.Errorf("answer %q request id %q", r.Answer, r.RequestID)
		}
	}
	if _, ok := journal.New("S1", "t", "", gateway.Outcome{Class: gateway.Permanent}); ok {
		t.Error("a record of an outcome without a request")
	}
}

// TestWriteRead publishes exchanges to a real JetStream and reads them
// back by submission and by time; the stored messages hold no password.
func TestWriteRead(t *testing.T) {
	ctx := context.Background()
	js, set := testkit.JetStream(t)
	w := journal.NewWriter(js, senderPassword)
	now := time.Now()
	const tp1, tp2 = "820909361064", "900101300012"
	writes := []struct {
		id, taxpayer, service, messageID string
		at                               time.Time
		answered                         bool
	}{
		{"A", tp1, envelope.ServiceSend, "m1", now.Add(-2 * time.Second), false},
		{"B", tp1, envelope.ServiceSend, "m2", now.Add(-time.Second), true},
		{"A", tp1, envelope.ServiceStatus, "m3", now, true},
		{"C", tp2, envelope.ServiceSend, "m4", now.Add(time.Second), true},
	}
	for _, wr := range writes {
		if err := w.Record(ctx, wr.id, wr.taxpayer, "", outcome(wr.service, wr.messageID, wr.at, wr.answered, true)); err != nil {
			t.Fatal(err)
		}
	}
	// A publish retried after a lost acknowledgement is stored once.
	if err := w.Record(ctx, "A", tp1, "", outcome(envelope.ServiceSend, "m1", now.Add(-2*time.Second), false, true)); err != nil {
		t.Fatal(err)
	}
	info, err := set.Journal.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 4 {
		t.Errorf("journal holds %d messages, want 4", info.State.Msgs)
	}
	for seq := uint64(1); seq <= info.State.LastSeq; seq++ {
		m, err := set.Journal.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(m.Data), senderPassword) || !strings.Contains(string(m.Data), "<password>***</password>") {
			t.Errorf("message %d: password not redacted: %s", seq, m.Data)
		}
		if !strings.Contains(string(m.Data), `+05:00"`) {
			t.Errorf("message %d: time not in Astana time: %s", seq, m.Data)
		}
	}

	r := journal.NewReader(js)
	got, err := r.BySubmission(ctx, tp1, "A")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].MessageID != "m1" || got[0].Outcome != journal.OutcomeNoAnswer || got[0].Answer != "" ||
		got[1].MessageID != "m3" || got[1].Service != envelope.ServiceStatus || got[1].Outcome != "success" {
		t.Errorf("submission A: %+v", got)
	}
	if got[0].Latency != 1234567*time.Nanosecond || !got[0].At.Equal(writes[0].at) || got[0].At.Location() != envelope.Almaty() {
		t.Errorf("latency %v at %v", got[0].Latency, got[0].At)
	}
	if _, err := r.BySubmission(ctx, tp1, "C"); !errors.Is(err, journal.ErrNotFound) {
		t.Errorf("C under the wrong taxpayer: %v, want ErrNotFound", err)
	}
	if _, err := r.BySubmission(ctx, "000000000000", "A"); !errors.Is(err, journal.ErrNotFound) {
		t.Errorf("a taxpayer without records: %v, want ErrNotFound", err)
	}

	rng, err := r.Range(ctx, now.Add(-time.Second), now.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if ids := messageIDs(rng); !reflect.DeepEqual(ids, []string{"m2", "m3"}) {
		t.Errorf("range holds %v, want [m2 m3]", ids)
	}
	if rng, err = r.Range(ctx, now.Add(time.Hour), now.Add(2*time.Hour)); err != nil || len(rng) != 0 {
		t.Errorf("a range after the last record: %v, %v", rng, err)
	}
	// The record is what the stream holds: JSON with the documented keys.
	m, err := set.Journal.GetLastMsgForSubject(ctx, streams.JournalSubject(tp2))
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	if err := json.Unmarshal(m.Data, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"at", "id", "taxpayer", "service", "messageId", "requestId", "outcome", "class", "latencyNs", "request", "answer"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("record lacks %q: %s", k, m.Data)
		}
	}
	if m.Header.Get(streams.HeaderID) != "C" {
		t.Errorf("header %s = %q", streams.HeaderID, m.Header.Get(streams.HeaderID))
	}
}

// TestExport writes records with an index and reads them back.
func TestExport(t *testing.T) {
	at := time.Date(2026, 3, 1, 19, 30, 0, 123456789, time.UTC)
	var recs []journal.Record
	for i, o := range []gateway.Outcome{
		outcome(envelope.ServiceSend, "m1", at, false, true),
		outcome(envelope.ServiceSend, "m2", at.Add(time.Second), true, true),
		outcome(envelope.ServiceStatus, "m/3", at.Add(2*time.Second), true, true),
	} {
		r, _ := journal.New("S"+string(rune('1'+i)), "820909361064", "", o)
		recs = append(recs, r)
	}
	recs[2].Answer, recs[2].HTTPStatus, recs[2].Outcome, recs[2].Reason = "Service Unavailable", 503, "transient", `said "no", then, left`
	recs[1].Endpoint = "https://gw.example/bip-sync-wss-gost/"
	// A delay entry: no request, no answer, since when.
	recs = append(recs, journal.Record{At: at.Add(time.Hour).In(envelope.Almaty()), ID: "S1", Taxpayer: "820909361064",
		Service: journal.ServiceDelay, Outcome: journal.OutcomeDelayed, Code: "unavailable", Reason: "gateway unavailable",
		Since: at.In(envelope.Almaty())})
	dir := t.TempDir()
	if err := journal.Export(dir, recs); err != nil {
		t.Fatal(err)
	}
	back, err := journal.ReadExport(dir)
	if err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*-delay-*")); len(files) != 0 {
		t.Errorf("files written for a delay entry: %v", files)
	}
	if len(back) != len(recs) {
		t.Fatalf("%d records back, want %d", len(back), len(recs))
	}
	for i := range recs {
		want := recs[i]
		want.Latency = want.Latency.Truncate(time.Microsecond)
		want.Request = journal.Redact(want.Request)
		if !back[i].At.Equal(want.At) {
			t.Errorf("record %d: time %v, want %v", i, back[i].At, want.At)
		}
		back[i].At = want.At
		if !reflect.DeepEqual(back[i], want) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, back[i], want)
		}
	}
}

func messageIDs(recs []journal.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.MessageID)
	}
	return out
}
