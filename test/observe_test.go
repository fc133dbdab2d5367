package test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
)

func secret(t *testing.T, prefix string) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}

// TestObservability runs a batch through a faulty gateway with known
// key and gateway passwords (and a passwords-file line with its columns
// swapped), scrapes /metrics over HTTP during and after it with the
// Prometheus text parser, and checks that the counters match the
// sandbox's own counts and the intake's, that every log line is JSON,
// and that no password is in any log line, stored message, KV value or
// file of the data directories.
func TestObservability(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	keyPW, senderPW := secret(t, "KeyPw-"), secret(t, "SenderPw-")
	logs := &testenv.Buffer{}
	addr := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
	h := newHarness(t, harnessOptions{taxpayers: 8, faults: faulty, log: logs, http: addr,
		keyPassword: keyPW, senderPassword: senderPW, swappedLine: true})
	h.start()
	url := "http://" + addr + "/metrics"
	waitFor(t, 30*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return httpReady(url)(ctx) == nil
	})
	const n = 150
	s := submitAll(t, h, n)
	bad := len(badForms(h.taxpayers[0]))

	// During the batch: the scrape parses, and the worker never counts a
	// request the sandbox has not seen.
	waitFor(t, time.Minute, func() bool { return h.sim.Stats().FilingsAccepted > 20 })
	mid := testkit.Scrape(t, url)
	st := h.sim.Stats()
	if v := mid.Get(t, "salyq_gateway_requests_total", "method", envelope.ServiceSend); v > float64(st.Requests[envelope.ServiceSend]) || v == 0 {
		t.Errorf("mid-batch: %v sends counted, the sandbox has seen %d", v, st.Requests[envelope.ServiceSend])
	}
	if v := mid.Get(t, "salyq_poller_active"); v != 1 {
		t.Errorf("mid-batch: poller_active %v", v)
	}
	checkStored(t, h, keyPW, senderPW) // the work queues still hold forms

	checkOutcome(t, h, s, 3*time.Minute)
	// Every form is final: once the last requests are answered, the
	// counts stand still and must match the sandbox's.
	var m testkit.Metrics
	deadline := time.Now().Add(30 * time.Second)
	for {
		m = testkit.Scrape(t, url)
		st = h.sim.Stats()
		if m.Get(t, "salyq_gateway_requests_total") == float64(st.Requests[envelope.ServiceSend]+st.Requests[envelope.ServiceStatus]) &&
			m.Get(t, "salyq_sends_in_flight") == 0 {
			break
		}
		if time.Now().After(deadline) {
			break // the assertions below say what differs
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, with a deadline
	}

	t.Run("metrics match the sandbox", func(t *testing.T) {
		req := func(labels ...string) float64 { v, _ := m.Value("salyq_gateway_requests_total", labels...); return v }
		send, status := envelope.ServiceSend, envelope.ServiceStatus
		eq := func(what string, got float64, want int64) {
			t.Helper()
			if got != float64(want) {
				t.Errorf("%s: metrics say %v, the sandbox %d", what, got, want)
			}
		}
		eq("sends", req("method", send), st.Requests[send])
		eq("status requests", req("method", status), st.Requests[status])
		eq("throttled", req("class", "throttled"), st.Faults["throttled"])
		eq("maintenance", req("class", "maintenance"), st.Faults["maintenance"])
		eq("transient (503s and technical faults)", req("class", "transient"), st.Faults["http503"]+st.Faults["transient"])
		eq("ambiguous (answers dropped after accept)", req("class", "ambiguous"), st.Drops)
		eq("sends refused for good", req("method", send, "class", "permanent"), st.Refusals[envelope.CodeDuplicate])
		eq("filings (answered or answer lost)", req("method", send, "class", "success")+req("method", send, "class", "ambiguous"), st.FilingsAccepted)
		if v, _ := m.Value("salyq_gateway_request_duration_seconds", "method", send); v != req("method", send) {
			t.Errorf("latency histogram counts %v sends, counter %v", v, req("method", send))
		}

		// The worker settled each submission message once, as filed or
		// dead; the poller took one receipt per filing.
		ack, _ := m.Value("salyq_deliveries_total", "consumer", "worker", "verdict", "ack")
		dead, _ := m.Value("salyq_deliveries_total", "consumer", "worker", "verdict", "dead-letter")
		eq("submissions settled", ack+dead, int64(len(s.ids)+1))
		dl, _ := m.Value("salyq_dead_letters_total", "consumer", "worker")
		if dl != dead {
			t.Errorf("%v dead letters counted, %v dead-letter settles", dl, dead)
		}
		eq("receipts taken", m.Get(t, "salyq_deliveries_total", "consumer", "poller", "verdict", "ack"), st.FilingsAccepted)
		eq("forms sent", m.Get(t, "salyq_status_transitions_total", "status", string(statusfsm.StateSent)), st.FilingsAccepted)
		table := statusfsm.DefaultTable()
		terminal := 0.0
		for _, status := range m.LabelValues("salyq_status_transitions_total", "status") {
			if table.Terminal(statusfsm.Status(status)) {
				terminal += m.Get(t, "salyq_status_transitions_total", "status", status)
			}
		}
		eq("forms final at SONO", terminal, st.FilingsAccepted)
		if v := m.Get(t, "salyq_poll_duration_seconds"); v == 0 || v > req("method", status) {
			t.Errorf("%v polls timed, %v status requests", v, req("method", status))
		}

		// The intake: every form handed in, and why some were not
		// enqueued.
		eq("forms received", m.Get(t, "salyq_forms_received_total"), int64(n+2+bad))
		refused, _ := m.Value("salyq_forms_refused_total")
		eq("forms refused", refused, int64(bad+1))
		eq("duplicates", m.Get(t, "salyq_forms_refused_total", "reason", "duplicate"), 1)
		eq("no key", m.Get(t, "salyq_forms_refused_total", "reason", "key"), 1)

		for _, stream := range []string{streams.Submissions, streams.Status} {
			if v := m.Get(t, "salyq_consumer_pending", "stream", stream); v != 0 {
				t.Errorf("%s: %v pending after the batch", stream, v)
			}
			if v := m.Get(t, "salyq_consumer_ack_pending", "stream", stream); v != 0 {
				t.Errorf("%s: %v unacknowledged after the batch", stream, v)
			}
		}
		if v := m.Get(t, "salyq_nats_connected"); v != 1 {
			t.Errorf("nats_connected %v", v)
		}
		if got := m.LabelValues("salyq_key_expiry_days", "taxpayer"); len(got) != len(h.taxpayers) {
			t.Errorf("key expiry of %v, want the %d keys loaded", got, len(h.taxpayers))
		}
		for _, tp := range h.taxpayers {
			if v := m.Get(t, "salyq_key_expiry_days", "taxpayer", tp); v < 1 {
				t.Errorf("key of %s expires in %v days", tp, v)
			}
		}
		// The README documents every salyq metric exported.
		readme, err := os.ReadFile("../README.md")
		if err != nil {
			t.Fatal(err)
		}
		for name := range m {
			if strings.HasPrefix(name, "salyq_") && !strings.Contains(string(readme), "| `"+name+"` |") {
				t.Errorf("%s is not in the README's metric table", name)
			}
		}
		t.Logf("sandbox: requests %v, faults %v, drops %d, refusals %v", st.Requests, st.Faults, st.Drops, st.Refusals)
	})

	h.halt()
	t.Run("logs are JSON lines", func(t *testing.T) {
		lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
		msgs := map[string]int{}
		for i, l := range lines {
			var rec map[string]any
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatalf("line %d is not JSON: %v: %q", i+1, err, l)
			}
			msg, _ := rec["msg"].(string)
			msgs[msg]++
			if msg == "send" || msg == "send failed" {
				for _, k := range []string{"id", "taxpayer", "messageId", "outcome"} {
					if rec[k] == nil {
						t.Errorf("send line without %s: %s", k, l)
					}
				}
			}
			if msg == "polled" && (rec["id"] == nil || rec["requestId"] == nil || rec["taxpayer"] == nil) {
				t.Errorf("poll line without id, requestId or taxpayer: %s", l)
			}
		}
		for _, want := range []string{"worker started", "worker stopped", "poller started", "poller stopped", "send", "send failed", "polled", "status poll failed"} {
			if msgs[want] == 0 {
				t.Errorf("no %q line", want)
			}
		}
		if float64(msgs["send"]+msgs["send failed"]) != m.Get(t, "salyq_gateway_requests_total", "method", envelope.ServiceSend) {
			t.Errorf("%d send lines, %v sends", msgs["send"]+msgs["send failed"], m.Get(t, "salyq_gateway_requests_total", "method", envelope.ServiceSend))
		}
		t.Logf("%d log lines", len(lines))
	})
	t.Run("no secret in logs or storage", func(t *testing.T) {
		out := logs.String()
		if !strings.Contains(out, "passwords line") {
			t.Errorf("the swapped passwords line was not reported")
		}
		for _, pw := range []string{keyPW, senderPW} {
			if strings.Contains(out, pw) {
				i := strings.Index(out, pw)
				t.Errorf("a password is in the log: …%s…", out[max(0, i-200):i])
			}
		}
		checkStored(t, h, keyPW, senderPW)
		// The files of JetStream and of the poller's store, byte by byte.
		root := filepath.Dir(h.rt.Cfg.Data)
		for _, dir := range []string{h.rt.Cfg.Data, filepath.Join(root, "nats")} {
			filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return nil
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return nil
				}
				for _, pw := range []string{keyPW, senderPW} {
					if bytes.Contains(data, []byte(pw)) {
						t.Errorf("a password is stored in %s", path)
					}
				}
				return nil
			})
		}
	})
}

// checkStored reads every message of every stream (KV buckets included)
// and fails on a password in a body or header.
func checkStored(t *testing.T, h *harness, secrets ...string) {
	t.Helper()
	ctx := context.Background()
	names := h.rt.JS.StreamNames(ctx)
	count := 0
	for name := range names.Name() {
		st, err := h.rt.JS.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
			msg, err := st.GetMsg(ctx, seq)
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				continue
			}
			if err != nil {
				t.Fatalf("%s #%d: %v", name, seq, err)
			}
			count++
			for _, pw := range secrets {
				if bytes.Contains(msg.Data, []byte(pw)) {
					t.Errorf("a password is in %s #%d (%s)", name, seq, msg.Subject)
				}
				for k, vs := range msg.Header {
					for _, v := range vs {
						if strings.Contains(v, pw) {
							t.Errorf("a password is in header %s of %s #%d", k, name, seq)
						}
					}
				}
			}
		}
	}
	if err := names.Err(); err != nil {
		t.Fatal(err)
	}
	if count == 0 {
		t.Errorf("no stored message read")
	}
}
