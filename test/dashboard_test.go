package test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/app/sandbox"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/client"
	"github.com/salyq/salyq/pkg/statusfsm"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "copy the dashboard test's overview screenshot to docs/dashboard-overview.png")

// dashboardSeed is a sandbox seed under which SONO rejects the first
// filing it receives (the sandbox draws each filing's course from the
// seed and its request id, and request ids from the seed in order).
const dashboardSeed = "2"

// TestDashboardInBrowser drives headless Chromium through the dashboard
// of a running `salyq run` with the sandbox and a tokens file: refused
// without a token; logs in with one; watches a batch reach final statuses
// on the overview without reloading; opens the refused form, its notice
// and its exchange; replays the dead letter of a second regular filing
// once the first is refused, with a confirmation, sees the replay
// recorded under the token's name and the form filed, live; logs out.
// Midway, a flood of events must not hold the live page back.
// Screenshots of every page go to the test's artifact directory (kept
// with -artifacts DIR); -update-screenshot copies the overview's to
// docs/.
func TestDashboardInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts salyq run and a browser")
	}
	chrome := testenv.Tool(t, "chromium", testenv.PkgChromium)
	dir := t.TempDir()
	data, formsDir, tokens := filepath.Join(dir, "data"), filepath.Join(dir, "forms"), filepath.Join(dir, "tokens.json")
	out, err := runSalyq(t, "tokens", "add", "ops", "--taxpayers", "all", "--api-tokens", tokens)
	if err != nil {
		t.Fatalf("tokens add: %v\n%s", err, out)
	}
	token := strings.Fields(out)[0]
	const batch = 12
	if out, err := runSalyq(t, "forms", "sample", "--data", data, fmt.Sprint(batch), formsDir); err != nil {
		t.Fatalf("forms sample: %v\n%s", err, out)
	}
	names, _ := filepath.Glob(filepath.Join(formsDir, "*.xml"))
	sort.Strings(names)
	if len(names) != batch {
		t.Fatalf("forms sample wrote %d forms", len(names))
	}
	base := startSalyqRun(t, data, "--api-tokens", tokens, "--sandbox-seed", dashboardSeed, "--sandbox-step", "300ms")
	api, err := client.New(base, client.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	shots := t.ArtifactDir()
	t.Logf("screenshots in %s", shots)

	// Without a token: the dashboard sends to its login page, its live
	// updates and the API answer 401.
	noRedirect := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]int{"/ui/": http.StatusSeeOther, "/ui/dlq": http.StatusSeeOther, "/ui/events": http.StatusUnauthorized, "/v1/forms/x": http.StatusUnauthorized} {
		resp, err := noRedirect.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want || (want == http.StatusSeeOther && resp.Header.Get("Location") != "/ui/login") {
			t.Errorf("GET %s without a token: %d → %q, want %d", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}

	b := newBrowser(t, chrome, 4*time.Minute, shots)

	// The browser is sent to the login page; a token logs in.
	// The first action starts the browser, on the test's context (a
	// step's timeout would stop the browser with the step).
	if err := chromedp.Do(b.ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatalf("browser: %v", err)
	}
	b.run(chromedp.WaitVisible(chromedp.CSS("#token")))
	if loc := b.location(); loc != base+"/ui/login" {
		t.Fatalf("without a session the browser is at %s, want the login page", loc)
	}
	b.shot("login")
	b.run(chromedp.SetValue(chromedp.CSS("#token"), "slq_wrong"), chromedp.Click(chromedp.CSS("#login-button")), chromedp.WaitVisible(chromedp.CSS("#login-error")))
	b.run(chromedp.SetValue(chromedp.CSS("#token"), token), chromedp.Click(chromedp.CSS("#login-button")), chromedp.WaitVisible(chromedp.CSS("#counts")))
	b.waitJS(`document.getElementById("live") && !document.getElementById("live").hidden`, 10*time.Second, "the live updates to connect")
	// A mark in the page: still there at the end, the page was never
	// reloaded.
	b.setMark("overview")

	// The batch: the first form alone, then, once SONO has it, a second
	// regular filing of the same taxpayer and period (SONO refuses it as
	// a duplicate: a dead letter), then the rest.
	forms := make([][]byte, len(names))
	for i, n := range names {
		if forms[i], err = os.ReadFile(n); err != nil {
			t.Fatal(err)
		}
	}
	bg := context.Background()
	first, err := api.Submit(bg, forms[0])
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool {
		st, err := api.Status(bg, first.ID)
		return err == nil && st.Status != string(statusfsm.StateQueued)
	})
	second, err := api.Submit(bg, []byte(strings.Replace(string(forms[0]), `"field_910_00_001">`, `"field_910_00_001">9`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range forms[1:] {
		if _, err := api.Submit(bg, f); err != nil {
			t.Fatal(err)
		}
	}

	// The overview counts them to the end, live.
	b.waitJS(fmt.Sprintf(`document.getElementById("total").textContent.trim() === "%d" && document.getElementById("inflight").textContent.trim() === "0" && document.getElementById("deadletters").textContent.trim() === "1"`, batch+1),
		2*time.Minute, "the overview to count every form final and one dead letter")
	b.mark("overview")
	if !strings.Contains(b.text("#statuses"), sonosim.StatusNotAccepted) {
		t.Errorf("the overview's statuses lack %q: %s", sonosim.StatusNotAccepted, b.text("#statuses"))
	}
	b.shot("overview")
	if *updateScreenshot {
		png, err := os.ReadFile(filepath.Join(shots, "overview.png"))
		if err == nil {
			err = os.WriteFile(filepath.Join(testenv.Path(t, "docs"), "dashboard-overview.png"), png, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := api.Status(bg, first.ID)
	if err != nil || st.Status != sonosim.StatusNotAccepted {
		t.Fatalf("the first form ended %q (%v), want %q: the seed no longer rejects the first filing", st.Status, err, sonosim.StatusNotAccepted)
	}
	floodReloads(t, b, data, st.Taxpayer)

	// The refused forms, the first one, its notice and its exchange.
	b.run(chromedp.Navigate(base + "/ui/forms?status=" + url.QueryEscape(sonosim.StatusNotAccepted)))
	b.run(chromedp.WaitVisible(chromedp.CSS("#forms")))
	b.shot("forms")
	b.run(chromedp.Click(chromedp.CSS(`a[href="/ui/forms/`+first.ID+`"]`)), chromedp.WaitVisible(chromedp.CSS("#history")))
	b.run(chromedp.Click(chromedp.CSS("#exchange-1 summary")), chromedp.WaitVisible(chromedp.CSS("#exchange-1 pre.xml")))
	if x := b.text("#exchange-1"); !strings.Contains(x, "SONO_FNO_SEND") || !strings.Contains(x, "<soap:Envelope") {
		t.Errorf("the first exchange does not show the request XML: %.300s", x)
	}
	if n := b.text("#notices"); !strings.Contains(n, "refusal") {
		t.Errorf("the refused form's notices: %q", n)
	}
	formPage := b.location()
	// The notices of all forms, the refusal among them, linking back.
	b.run(chromedp.Click(chromedp.CSS("#nav-notices")), chromedp.WaitVisible(chromedp.CSS("#notices")))
	if n := b.text("#notices"); !strings.Contains(n, "refusal") || !strings.Contains(n, st.Taxpayer) {
		t.Errorf("the notices page: %q", n)
	}
	b.shot("notices")
	b.run(chromedp.Navigate(formPage), chromedp.WaitVisible(chromedp.CSS("#history")))
	download, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch(document.querySelector("#exchange-1 a[download]").href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(download, "SONO_FNO_SEND") {
		t.Errorf("the request download: %.200q", download)
	}
	b.shot("form-refused")

	// The dead letter: replayed with a confirmation, recorded, filed.
	b.run(chromedp.Navigate(base+"/ui/dlq"), chromedp.WaitVisible(chromedp.CSS("#letters")))
	if l := b.text("#letters"); !strings.Contains(l, second.ID) || !strings.Contains(l, "DUPLICATE") {
		t.Fatalf("dead letters: %q, want %s naming DUPLICATE", l, second.ID)
	}
	b.shot("dead-letters")
	// Filtered by its cause, all of it replayed: the confirmation lists
	// the form.
	b.run(chromedp.SetValue(chromedp.CSS("#reason-filter"), "DUPLICATE"), chromedp.Click(chromedp.CSS("#filter-button")), chromedp.WaitVisible(chromedp.CSS("#replay-reason")))
	b.run(chromedp.Click(chromedp.CSS("#replay-reason")), chromedp.WaitVisible(chromedp.CSS("#replay-go")))
	if c := b.text("#confirm-letters"); !strings.Contains(c, second.ID) {
		t.Fatalf("the confirmation does not list %s: %q", second.ID, c)
	}
	b.shot("replay-confirm")
	b.run(chromedp.Click(chromedp.CSS("#replay-go")), chromedp.WaitVisible(chromedp.CSS("#audit")))
	if a := b.text("#audit"); !strings.Contains(a, "ops") || !strings.Contains(a, second.ID) {
		t.Errorf("the replay record: %q, want the token's name and the form", a)
	}
	b.shot("dead-letters-replayed")
	b.run(chromedp.Navigate(base+"/ui/forms/"+second.ID), chromedp.WaitVisible(chromedp.CSS("#form-status")))
	b.setMark("form")
	b.waitJS(`(() => { const s = document.getElementById("form-status"); return s && s.textContent.includes("✓") && !["failed-delivery", "queued", "sent"].includes(s.dataset.status) })()`,
		time.Minute, "the replayed form to reach a final SONO status")
	b.mark("form")
	b.shot("form-replayed")
	if st, err := api.Status(bg, second.ID); err != nil || !statusfsm.DefaultTable().Terminal(statusfsm.Status(st.Status)) || st.Status == string(statusfsm.StateFailedDelivery) {
		t.Errorf("the replayed form is %q (%v)", st.Status, err)
	}

	// The language switch, then logging out.
	b.run(chromedp.Click(chromedp.CSS("#lang-kk")), chromedp.WaitVisible(chromedp.CSS("#form-status")))
	if h := b.text("header"); !strings.Contains(h, "Шолу") {
		t.Errorf("the Kazakh header: %q", h)
	}
	b.shot("form-kk")
	b.run(chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#token")))
	b.run(chromedp.Navigate(base+"/ui/dlq"), chromedp.WaitVisible(chromedp.CSS("#token")))
	if loc := b.location(); loc != base+"/ui/login" {
		t.Errorf("after logging out the dead letters are at %s, want the login page", loc)
	}
}

// browser drives one tab and saves its screenshots.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string
}

// newBrowser starts headless Chromium (the binary chrome) for the test,
// for at most timeout, saving screenshots to dir; the test's cleanup
// stops it.
func newBrowser(t *testing.T, chrome string, timeout time.Duration, dir string) *browser {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	ctx, cancel := context.WithTimeout(bctx, timeout)
	t.Cleanup(cancel)
	return &browser{t: t, ctx: ctx, dir: dir}
}

// floodReloads checks that a flood of status events, one every 20 ms as
// at quarter-end, does not hold the overview's live part back: once the
// flood has run for two seconds, a mark put in that part goes within
// fifteen (a reload comes within one; the rest is room for a loaded
// machine), the part reloaded while the flood goes on. (Reloading only after
// a pause in the events, the page stood still for as long as they came.)
// The events are of a submission nobody filed: the poller and the page
// take them for the noise they are.
func floodReloads(t *testing.T, b *browser, data, taxpayer string) {
	t.Helper()
	url, err := broker.FindURL("", data)
	if err != nil {
		t.Fatal(err)
	}
	nc, _, err := broker.Connect(url, "dashboard-test-flood")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	var sent atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		ev := fmt.Appendf(nil, `{"id":"flood","taxpayer":%q,"to":"queued"}`, taxpayer)
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if nc.Publish(streams.StatusSubject(taxpayer), ev) == nil {
					sent.Add(1)
				}
			}
		}
	}()
	defer func() { close(stop); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for sent.Load() < 100 {
		if time.Now().After(deadline) {
			t.Fatalf("the flood sent %d events in 10 s", sent.Load())
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
	}
	b.waitJS(`document.getElementById("counts").insertAdjacentHTML("beforeend", '<i id="stale"></i>') === undefined`, stepTimeout, "the mark")
	b.waitJS(`!document.getElementById("stale")`, 15*time.Second, "the overview's live part to reload during a flood of events")
}

// stepTimeout bounds one step of the browser: a missing element fails
// the test in seconds, not at its deadline.
const stepTimeout = 30 * time.Second

func (b *browser) run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("failed")
		b.t.Fatalf("browser: %v", err)
	}
}

func (b *browser) location() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return loc
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("browser: text of %s: %v", sel, err)
	}
	return s
}

// setMark leaves a mark in the page (see mark).
func (b *browser) setMark(m string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.salyqMark = "`+m+`"; true`)); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// waitJS polls the page until expr is true, with a deadline.
func (b *browser) waitJS(expr string, timeout time.Duration, what string) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.shot("timeout")
			b.t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond) // polling a condition, with a deadline
	}
}

// mark fails unless the page still holds the mark set when it was
// opened: it was updated in place, not reloaded.
func (b *browser) mark(want string) {
	b.t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`window.salyqMark || ""`))
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	if got != want {
		b.t.Errorf("the page was reloaded (mark %q, want %q): live updates must change it in place", got, want)
	}
}

// shot saves a full-page PNG of the tab as name.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644); err != nil {
		b.t.Error(err)
	}
}

// runSalyq runs one salyq command line to its end.
func runSalyq(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := (app.CLI{Sandbox: sandbox.Open}).Main(ctx, args, app.IO{In: strings.NewReader(""), Out: &out, Err: &errs})
	return out.String() + errs.String(), err
}

// startSalyqRun starts `salyq run` on data in-process, as cmd/salyq
// wires it, on a free loopback port, and returns its API's URL once it
// has written api.url; it stops when the test ends.
func startSalyqRun(t *testing.T, data string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testenv.Buffer{}
	done := make(chan error, 1)
	argv := append([]string{"run", "--data", data, "--http", "127.0.0.1:0"}, args...)
	go func() { done <- (app.CLI{Sandbox: sandbox.Open}).Main(ctx, argv, app.IO{Out: logs, Err: logs}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("salyq run: %v", err)
		}
		if t.Failed() {
			t.Logf("salyq run's log:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(filepath.Join(data, "api.url")); err == nil {
			return strings.TrimSpace(string(b))
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("salyq run stopped at start: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("salyq run never wrote api.url:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
	}
}
