package dashboard_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/auth"
	"github.com/salyq/salyq/internal/availability"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/dashboard"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/statusfsm"
)

const (
	taxpayerA = "900101300017"
	taxpayerB = "900101300025"
	idA       = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"
	idB       = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2"
)

// rig is a dashboard on a real JetStream with two forms, one of each
// taxpayer, both dead-lettered, and a tokens file with a token of every
// taxpayer ("ops") and one of taxpayer A only ("client-a").
type rig struct {
	t          *testing.T
	js         jetstream.JetStream
	set        *streams.Set
	board      *board.Board
	srv        *httptest.Server
	tokensFile string
	ops, a     string
}

func newRig(t *testing.T, maxLive int) *rig {
	t.Helper()
	js, set := testkit.JetStream(t)
	r := &rig{t: t, js: js, set: set, board: board.New(js, set), tokensFile: filepath.Join(t.TempDir(), "tokens.json")}
	var err error
	if r.ops, err = auth.Add(r.tokensFile, "ops", auth.ScopeAll, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	if r.a, err = auth.Add(r.tokensFile, "client-a", taxpayerA, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.OpenTokens(r.tokensFile)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, f := range []struct{ id, tp string }{{idA, taxpayerA}, {idB, taxpayerB}} {
		v := board.View{ID: f.id, Taxpayer: f.tp, Form: "910.00", Period: "2025-H1", Kind: "dt_regular",
			Status: statusfsm.StateFailedDelivery, Terminal: true, Reason: "DUPLICATE: already filed", Updated: time.Now()}
		if err := r.board.Set(ctx, v, nil); err != nil {
			t.Fatal(err)
		}
		m := nats.NewMsg(streams.DLQPrefix + f.id)
		m.Data = []byte("<fno/>")
		m.Header.Set(streams.HeaderReason, "DUPLICATE: already filed")
		m.Header.Set(streams.HeaderCode, "DUPLICATE")
		m.Header.Set(streams.HeaderOriginalSubject, streams.SubmitSubject(f.tp))
		m.Header.Set(streams.HeaderTaxpayer, f.tp)
		m.Header.Set(streams.HeaderAttempts, "1")
		if _, err := js.PublishMsg(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	// An exchange whose answer holds markup: it must show as text.
	if err := journal.NewWriter(js).Write(ctx, journal.Record{At: time.Now(), ID: idA, Taxpayer: taxpayerA, Service: "SONO_FNO_SEND",
		MessageID: "m1", Outcome: "permanent", Class: "permanent", HTTPStatus: 200,
		Request: "<request>x</request>", Answer: `<answer><script>alert(1)</script></answer>`}); err != nil {
		t.Fatal(err)
	}
	ui, err := dashboard.New(dashboard.Config{JS: js, Streams: set, Board: r.board, Tokens: tokens, MaxLive: maxLive})
	if err != nil {
		t.Fatal(err)
	}
	r.srv = httptest.NewServer(ui)
	t.Cleanup(r.srv.Close)
	return r
}

// browser is a client with a cookie jar that does not follow redirects.
func (r *rig) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (r *rig) get(c *http.Client, path string) (int, string, http.Header) {
	r.t.Helper()
	resp, err := c.Get(r.srv.URL + path)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (r *rig) post(c *http.Client, path string, form url.Values) (int, string, http.Header) {
	r.t.Helper()
	resp, err := c.PostForm(r.srv.URL+path, form)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (r *rig) login(token string) *http.Client {
	r.t.Helper()
	c := r.browser()
	code, _, h := r.post(c, "/ui/login", url.Values{"token": {token}})
	if code != http.StatusSeeOther || h.Get("Location") != "/ui/" {
		r.t.Fatalf("login: %d → %q", code, h.Get("Location"))
	}
	return c
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page")
	}
	return m[1]
}

// TestLoginSessionAndScope: without a session every page sends to the
// login page (401 for events and POSTs); a bad token is refused; the
// cookie is HttpOnly, SameSite=Strict and holds no token; a token of one
// taxpayer sees that taxpayer's forms and dead letters only; revoking the
// token ends its session.
func TestLoginSessionAndScope(t *testing.T) {
	r := newRig(t, 0)
	anon := r.browser()
	for _, p := range []string{"/ui/", "/ui/forms", "/ui/notices", "/ui/dlq", "/ui/forms/" + idA} {
		if code, _, h := r.get(anon, p); code != http.StatusSeeOther || h.Get("Location") != "/ui/login" {
			t.Errorf("GET %s without a session: %d → %q", p, code, h.Get("Location"))
		}
	}
	if code, _, _ := r.get(anon, "/ui/events"); code != http.StatusUnauthorized {
		t.Errorf("events without a session: %d", code)
	}
	if code, _, _ := r.post(anon, "/ui/dlq/replay", url.Values{"id": {idA}}); code != http.StatusUnauthorized {
		t.Errorf("replay without a session: %d", code)
	}
	if code, _, h := r.post(anon, "/ui/login", url.Values{"token": {"slq_nope"}}); code != http.StatusSeeOther || h.Get("Location") != "/ui/login?bad=1" || h.Get("Set-Cookie") != "" {
		t.Errorf("bad token: %d → %q, cookie %q", code, h.Get("Location"), h.Get("Set-Cookie"))
	}

	c := r.browser()
	_, _, h := r.post(c, "/ui/login", url.Values{"token": {r.a}})
	ck := h.Get("Set-Cookie")
	if !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Strict") || strings.Contains(ck, r.a) || strings.Contains(ck, strings.TrimPrefix(r.a, auth.TokenPrefix)) {
		t.Errorf("session cookie %q", ck)
	}
	_, forms, _ := r.get(c, "/ui/forms")
	if !strings.Contains(forms, idA) || strings.Contains(forms, idB) {
		t.Errorf("client-a's forms list: A shown %v, B shown %v", strings.Contains(forms, idA), strings.Contains(forms, idB))
	}
	if code, _, _ := r.get(c, "/ui/forms/"+idB); code != http.StatusNotFound {
		t.Errorf("another taxpayer's form: %d, want 404", code)
	}
	_, dlq, _ := r.get(c, "/ui/dlq")
	if !strings.Contains(dlq, idA) || strings.Contains(dlq, idB) {
		t.Errorf("client-a's dead letters: A shown %v, B shown %v", strings.Contains(dlq, idA), strings.Contains(dlq, idB))
	}
	// Replaying another taxpayer's letter by naming it does nothing.
	code, page, _ := r.post(c, "/ui/dlq/confirm", url.Values{"id": {idB}, "csrf": {csrfOf(t, dlq)}})
	if code != http.StatusOK || strings.Contains(page, idB) {
		t.Errorf("confirming another taxpayer's replay: %d, names it %v", code, strings.Contains(page, idB))
	}
	_, form, _ := r.get(c, "/ui/forms/"+idA)
	if strings.Contains(form, "<script>alert") || !strings.Contains(form, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the exchange's answer is not shown escaped")
	}
	code, body, hd := r.get(c, "/ui/forms/"+idA+"/exchanges/1/answer.xml")
	if code != http.StatusOK || body != `<answer><script>alert(1)</script></answer>` || !strings.HasPrefix(hd.Get("Content-Disposition"), "attachment") {
		t.Errorf("answer download: %d %q %q", code, body, hd.Get("Content-Disposition"))
	}

	if err := auth.Revoke(r.tokensFile, "client-a", time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if code, _, h := r.get(c, "/ui/forms"); code != http.StatusSeeOther || h.Get("Location") != "/ui/login" {
		t.Errorf("after revoking the token: %d → %q, want the login page", code, h.Get("Location"))
	}
}

// TestHostileInput: bad ids, unknown filters, huge query strings,
// missing CSRF tokens and foreign origins are refused with 4xx.
func TestHostileInput(t *testing.T) {
	r := newRig(t, 0)
	c := r.login(r.ops)
	for path, want := range map[string]int{
		"/ui/forms?nope=1":                              http.StatusBadRequest,
		"/ui/forms?taxpayer=12345":                      http.StatusBadRequest,
		"/ui/forms?taxpayer=" + taxpayerA + "&page=-1":  http.StatusBadRequest,
		"/ui/forms?status=a&status=b":                   http.StatusBadRequest,
		"/ui/forms?status=%00":                          http.StatusBadRequest,
		"/ui/forms?status=" + strings.Repeat("x", 3000): http.StatusRequestURITooLong,
		"/ui/forms/" + strings.Repeat("a", 300):         http.StatusBadRequest,
		"/ui/forms/a.b":                                 http.StatusBadRequest,
		"/ui/forms/" + idA + "x":                        http.StatusNotFound,
		"/ui/forms/" + idA + "/exchanges/x/request.xml": http.StatusBadRequest,
		"/ui/forms/" + idA + "/exchanges/9/request.xml": http.StatusNotFound,
		"/ui/forms/" + idA + "/exchanges/1/other.xml":   http.StatusNotFound,
		"/ui/dlq?reason=a&x=1":                          http.StatusBadRequest,
		"/ui/lang/xx":                                   http.StatusBadRequest,
		"/ui/forms?status=Разнесена":                    http.StatusOK,
	} {
		if code, _, _ := r.get(c, path); code != want {
			t.Errorf("GET %s: %d, want %d", truncate(path), code, want)
		}
	}
	if code, _, h := r.get(c, "/ui/lang/kk?back=//evil.example/"); code != http.StatusSeeOther || h.Get("Location") != "/ui/" {
		t.Errorf("language switch with a foreign back: %d → %q", code, h.Get("Location"))
	}
	if code, _, _ := r.post(c, "/ui/dlq/confirm", url.Values{"id": {idA}}); code != http.StatusForbidden {
		t.Errorf("POST without CSRF token: %d", code)
	}
	_, dlq, _ := r.get(c, "/ui/dlq")
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/ui/dlq/confirm", strings.NewReader(url.Values{"id": {idA}, "csrf": {csrfOf(t, dlq)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST from another origin: %d", resp.StatusCode)
	}
	if code, _, _ := r.post(c, "/ui/dlq/confirm", url.Values{"id": {"a.b"}, "csrf": {csrfOf(t, dlq)}}); code != http.StatusBadRequest {
		t.Errorf("replay of a bad id: %d", code)
	}
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// TestReplayWithConfirmationAndAudit: replaying all letters of a reason
// asks first, then puts the forms back to the work queue, removes the
// letters and records who did it on SALYQ_AUDIT, shown on the page.
func TestReplayWithConfirmationAndAudit(t *testing.T) {
	r := newRig(t, 0)
	c := r.login(r.ops)
	_, dlq, _ := r.get(c, "/ui/dlq?reason=DUPLICATE")
	csrf := csrfOf(t, dlq)
	code, confirm, _ := r.post(c, "/ui/dlq/confirm", url.Values{"reason": {"DUPLICATE"}, "csrf": {csrf}})
	if code != http.StatusOK || !strings.Contains(confirm, idA) || !strings.Contains(confirm, idB) || !strings.Contains(confirm, `action="/ui/dlq/replay"`) {
		t.Fatalf("confirmation: %d\n%s", code, confirm)
	}
	if info, _ := r.set.DLQ.Info(context.Background()); info.State.Msgs != 2 {
		t.Fatalf("the confirmation replayed something: %d letters left", info.State.Msgs)
	}
	code, _, h := r.post(c, "/ui/dlq/replay", url.Values{"reason": {"DUPLICATE"}, "id": {idA, idB}, "csrf": {csrf}})
	if code != http.StatusSeeOther || h.Get("Location") != "/ui/dlq" {
		t.Fatalf("replay: %d → %q", code, h.Get("Location"))
	}
	ctx := context.Background()
	if info, _ := r.set.DLQ.Info(ctx); info.State.Msgs != 0 {
		t.Errorf("%d dead letters left after the replay", info.State.Msgs)
	}
	if info, _ := r.set.Submissions.Info(ctx); info.State.Msgs != 2 {
		t.Errorf("%d submissions queued after the replay, want 2", info.State.Msgs)
	}
	if v, _ := r.board.Get(ctx, idA); v.Status != statusfsm.StateQueued {
		t.Errorf("replayed form is %q", v.Status)
	}
	_, dlq, _ = r.get(c, "/ui/dlq")
	if !strings.Contains(dlq, `<td class="who">ops</td>`) || !strings.Contains(dlq, idA) || !strings.Contains(dlq, idB) {
		t.Errorf("the replay is not recorded on the page:\n%s", dlq)
	}
	if info, _ := r.set.Audit.Info(ctx); info.State.Msgs != 1 {
		t.Errorf("%d audit records, want 1", info.State.Msgs)
	}
}

// TestLiveEvents: a session hears the status events of its taxpayers
// only, as server-sent events; connections beyond the limit are refused.
func TestLiveEvents(t *testing.T) {
	r := newRig(t, 1)
	c := r.login(r.a)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.srv.URL+"/ui/events", nil)
	c.Timeout = 0
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() && lines.Text() != ": connected" {
	}
	// One connection is the limit.
	if code, _, _ := r.get(r.login(r.ops), "/ui/events"); code != http.StatusServiceUnavailable {
		t.Errorf("second live connection: %d, want 503", code)
	}
	for _, f := range []struct{ id, tp string }{{idB, taxpayerB}, {idA, taxpayerA}} {
		v := board.View{ID: f.id, Taxpayer: f.tp, Status: "Разнесена", Terminal: true, Updated: time.Now()}
		if err := r.board.Set(context.Background(), v, &board.Event{ID: f.id, From: statusfsm.StateSent, To: "Разнесена", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	got := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if strings.HasPrefix(lines.Text(), "data: ") {
				got <- lines.Text()
				return
			}
		}
	}()
	select {
	case line := <-got:
		if !strings.Contains(line, idA) || strings.Contains(line, idB) {
			t.Errorf("first event %s: want A's only", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event in 10 s")
	}

	// The page goes: its consumer on SALYQ_STATUS goes with it, not a
	// minute later.
	cancel()
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := r.set.Status.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Consumers == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d consumers on SALYQ_STATUS 10 s after the live page closed", info.State.Consumers)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, with a deadline
	}
}

// TestOpenOnLoopback: without tokens every request gets a session of
// every taxpayer, and POSTs still need its CSRF token.
func TestOpenOnLoopback(t *testing.T) {
	js, set := testkit.JetStream(t)
	eighty := 80.0
	var asked time.Duration
	avail := func(_ context.Context, from, to time.Time) ([]availability.Result, error) {
		asked = to.Sub(from)
		return []availability.Result{{Service: "SONO_FNO_SEND", Index: &eighty}, {Service: "SONO_FNO_GET_STATUS"}}, nil
	}
	ui, err := dashboard.New(dashboard.Config{JS: js, Streams: set, Board: board.New(js, set), Availability: avail})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ui)
	defer srv.Close()
	r := &rig{t: t, srv: srv}
	c := r.browser()
	code, page, _ := r.get(c, "/ui/")
	if code != http.StatusOK || !strings.Contains(page, "SALYQ_SUBMISSIONS") {
		t.Fatalf("open overview: %d", code)
	}
	// The index of each service measured in the last day; one without
	// exchanges is left out, not shown as 100 %.
	if !strings.Contains(page, "SONO_FNO_SEND 80.00 %") || strings.Contains(page, "SONO_FNO_GET_STATUS") || asked != dashboard.AvailabilityWindow {
		t.Errorf("availability on the overview (asked for %v):\n%s", asked, page)
	}
	if code, _, _ := r.post(r.browser(), "/ui/dlq/replay", url.Values{"id": {idA}}); code != http.StatusUnauthorized {
		t.Errorf("POST without a session on an open dashboard: %d", code)
	}
	if code, _, _ := r.post(c, "/ui/dlq/replay", url.Values{"id": {idA}}); code != http.StatusForbidden {
		t.Errorf("POST without CSRF on an open dashboard: %d", code)
	}
}

// TestNoticesPage: the notices page lists the tax office's notices of
// the forms a token may see, newest first, filtered by type and
// taxpayer, with their text escaped, and refuses bad filters.
func TestNoticesPage(t *testing.T) {
	r := newRig(t, 0)
	ctx := context.Background()
	at := time.Date(2026, 4, 10, 5, 0, 0, 0, time.UTC)
	for _, f := range []struct {
		id, tp  string
		notices []board.Notice
	}{
		{idA, taxpayerA, []board.Notice{
			{Number: "6205-0000001", Type: "refusal", At: at, Text: "Отказ: <script>alert(1)</script>"},
			{Number: "6205-0000003", Type: "violations found by desk audit", At: at.Add(48 * time.Hour), Text: "Выявлены нарушения"},
		}},
		{idB, taxpayerB, []board.Notice{{Number: "6205-0000002", Type: "refusal", At: at.Add(time.Hour), Text: "Отказ Б"}}},
	} {
		v, err := r.board.Get(ctx, f.id)
		if err != nil {
			t.Fatal(err)
		}
		v.Notices, v.Seq = f.notices, v.Seq+1
		if err := r.board.Set(ctx, v, nil); err != nil {
			t.Fatal(err)
		}
	}
	order := func(page string, numbers ...string) bool {
		last := -1
		for _, n := range numbers {
			i := strings.Index(page, n)
			if i <= last {
				return false
			}
			last = i
		}
		return true
	}

	ops := r.login(r.ops)
	code, page, _ := r.get(ops, "/ui/notices")
	if code != http.StatusOK || !order(page, "6205-0000003", "6205-0000002", "6205-0000001") {
		t.Errorf("all notices, newest first: %d\n%s", code, page)
	}
	if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("a notice's text is not shown escaped")
	}
	if _, page, _ := r.get(ops, "/ui/notices?type=refusal"); !order(page, "6205-0000002", "6205-0000001") || strings.Contains(page, "6205-0000003") {
		t.Errorf("refusals only:\n%s", page)
	}
	if _, page, _ := r.get(ops, "/ui/notices?taxpayer="+taxpayerB); !strings.Contains(page, "6205-0000002") || strings.Contains(page, "6205-0000001") {
		t.Errorf("taxpayer B's only:\n%s", page)
	}
	if _, page, _ := r.get(ops, "/ui/notices?type=nothing"); !strings.Contains(page, `id="notices-none"`) {
		t.Errorf("no notice of a type: want the empty note\n%s", page)
	}

	a := r.login(r.a)
	if _, page, _ := r.get(a, "/ui/notices"); !strings.Contains(page, "6205-0000001") || strings.Contains(page, "6205-0000002") {
		t.Errorf("client-a sees another taxpayer's notice, or not its own:\n%s", page)
	}
	for path, want := range map[string]int{
		"/ui/notices?type=a&type=b":     http.StatusBadRequest,
		"/ui/notices?taxpayer=123":      http.StatusBadRequest,
		"/ui/notices?page=0":            http.StatusBadRequest,
		"/ui/notices?other=1":           http.StatusBadRequest,
		"/ui/notices?type=%00":          http.StatusBadRequest,
		"/ui/notices?page=2&type=audit": http.StatusOK,
	} {
		if code, _, _ := r.get(a, path); code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
	}
}
