package test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/streams"
)

// chaosConfig sizes the chaos test; every field has a SALYQ_CHAOS_
// variable (test/README.md).
type chaosConfig struct {
	forms   int           // good forms
	rate    float64       // forms submitted per second
	outage  time.Duration // how long the whole cluster is down; 0: past every consumer's ack wait
	kills   int           // random SIGKILLs of services
	seed    int64
	final   time.Duration // how long forms may take to settle after the chaos
	timeout time.Duration // SALYQ_TIMEOUT of the services (ack wait follows it)
	lease   time.Duration // SALYQ_POLLER_LEASE
	skip    map[string]bool
	dir     string // where logs and data go and stay; empty: the test's temp dir
}

func chaosConfigFromEnv(t *testing.T) chaosConfig {
	c := chaosConfig{
		forms: 300, rate: 10, kills: 8, seed: time.Now().UnixNano() % 1_000_000,
		final: 4 * time.Minute, timeout: 5 * time.Second, lease: 5 * time.Second, skip: map[string]bool{},
	}
	num := func(name string, set func(string) error) {
		if v := os.Getenv(name); v != "" {
			if err := set(v); err != nil {
				t.Fatalf("%s=%q: %v", name, v, err)
			}
		}
	}
	dur := func(d *time.Duration) func(string) error {
		return func(v string) (err error) { *d, err = time.ParseDuration(v); return err }
	}
	num("SALYQ_CHAOS_FORMS", func(v string) (err error) { c.forms, err = strconv.Atoi(v); return err })
	num("SALYQ_CHAOS_RATE", func(v string) (err error) { c.rate, err = strconv.ParseFloat(v, 64); return err })
	num("SALYQ_CHAOS_KILLS", func(v string) (err error) { c.kills, err = strconv.Atoi(v); return err })
	num("SALYQ_CHAOS_SEED", func(v string) (err error) { c.seed, err = strconv.ParseInt(v, 10, 64); return err })
	num("SALYQ_CHAOS_OUTAGE", dur(&c.outage))
	num("SALYQ_CHAOS_FINAL", dur(&c.final))
	num("SALYQ_CHAOS_TIMEOUT", dur(&c.timeout))
	num("SALYQ_CHAOS_LEASE", dur(&c.lease))
	c.dir = os.Getenv("SALYQ_CHAOS_DIR")
	for _, s := range strings.Split(os.Getenv("SALYQ_CHAOS_SKIP"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.skip[s] = true
		}
	}
	return c
}

// TestChaos is the "done when" test: forms flow through separate
// processes on a three-node cluster while services, the JetStream meta
// leader and the whole cluster are killed and a poller loses its store;
// at the end nothing was filed twice, every form is settled, and the
// board, the poller's store and the status events agree.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test: separate processes on a three-node cluster, minutes; run without -short")
	}
	cfg := chaosConfigFromEnv(t)
	t.Logf("chaos: %d forms at %.1f/s, %d kills, outage %s (0: past the ack waits), seed %d (SALYQ_CHAOS_SEED to repeat), skip %v",
		cfg.forms, cfg.rate, cfg.kills, cfg.outage, cfg.seed, cfg.skip)
	r := newChaosRig(t, cfg)
	start := time.Now()

	forms := app.SampleForms(r.taxpayers, cfg.forms)
	submitDone := make(chan []string, 1)
	go func() { submitDone <- r.submitForms(forms) }()
	var poison []poisonMsg
	if !cfg.skip["poison"] {
		poison = r.publishPoison()
	}
	r.refuseBadForms()

	r.chaos(time.Duration(float64(cfg.forms) / cfg.rate * float64(time.Second)))
	ids := <-submitDone
	t.Logf("chaos: %d forms submitted in %s", len(ids), time.Since(start).Round(time.Second))

	r.waitSettled(ids, cfg.final)
	ackWait, err := r.longestAckWait()
	if err != nil {
		t.Errorf("chaos: %v", err)
	}
	r.waitDrained(ackWait + 30*time.Second)
	t.Logf("chaos: settled after %s", time.Since(start).Round(time.Second))
	if !cfg.skip["hostile"] {
		r.hostileRequests(ids[0])
	}
	r.checkSandbox(len(ids))
	r.checkAliveAndStop()
	truth := r.gatherTruth(ids)
	r.checkSettled(ids, truth)
	r.checkAgreement(ids, truth)
	r.checkPoison(poison, truth)
	t.Logf("chaos: done in %s", time.Since(start).Round(time.Second))
}

// chaos runs the seeded chaos loop, spreading its actions over about
// spread: random service kills, one meta leader kill, one cluster outage,
// one lost poller store (SALYQ_CHAOS_SKIP leaves out kills, leader,
// outage, store).
func (r *chaosRig) chaos(spread time.Duration) {
	var actions []string
	if !r.cfg.skip["kills"] {
		for range r.cfg.kills {
			actions = append(actions, "kill")
		}
	}
	for _, a := range []string{"leader", "outage", "store"} {
		if !r.cfg.skip[a] {
			actions = append(actions, a)
		}
	}
	r.rnd.Shuffle(len(actions), func(i, j int) { actions[i], actions[j] = actions[j], actions[i] })
	gap := max(spread/time.Duration(len(actions)+1), time.Second)
	deadline := time.Now().Add(spread + r.cfg.outage + 15*time.Minute)
	for i, a := range actions {
		if time.Now().After(deadline) {
			r.t.Errorf("chaos: out of time after %d of %d actions", i, len(actions))
			return
		}
		r.pause(gap)
		r.t.Logf("chaos: action %d of %d: %s", i+1, len(actions), a)
		switch a {
		case "kill":
			r.killService()
		case "leader":
			r.killMetaLeader()
		case "outage":
			r.outage()
		case "store":
			r.loseStore()
		}
	}
}

// submitForms posts every form to the producer's API at cfg.rate, as an
// ERP would: a connection error or a 5xx (producer restarting, cluster
// down) is retried until the form is taken. It returns the ids.
func (r *chaosRig) submitForms(forms [][]byte) []string {
	tick := time.NewTicker(time.Duration(float64(time.Second) / r.cfg.rate))
	defer tick.Stop()
	ids := make([]string, len(forms))
	var wg sync.WaitGroup
	for i, f := range forms {
		<-tick.C
		wg.Go(func() {
			code, body, err := r.post(f, 10*time.Minute)
			if err != nil || code != http.StatusAccepted {
				r.t.Errorf("form %d: %d %s %v", i, code, body, err)
				return
			}
			var res struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(body, &res); err != nil || res.ID == "" {
				r.t.Errorf("form %d: answer %s: %v", i, body, err)
			}
			ids[i] = res.ID
		})
	}
	wg.Wait()
	return ids
}

// post sends one form, retrying connection errors and 5xx answers until
// timeout; it returns the first other answer.
func (r *chaosRig) post(form []byte, timeout time.Duration) (int, []byte, error) {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := r.apiHTTP().Post(r.apiURL+"/v1/forms", "application/xml", bytes.NewReader(form))
		var body []byte
		if err == nil {
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode < 500 {
				return resp.StatusCode, body, nil
			}
			if err == nil {
				err = fmt.Errorf("%s: %s", resp.Status, body)
			}
		}
		if time.Now().After(deadline) {
			return 0, nil, fmt.Errorf("not taken in %s: %w", timeout, err)
		}
		time.Sleep(250 * time.Millisecond) // an ERP's retry pause
	}
}

// refuseBadForms posts the forms intake must refuse: each gets 422.
func (r *chaosRig) refuseBadForms() {
	for _, b := range badForms(r.taxpayers[0]) {
		code, body, err := r.post(b.doc, 5*time.Minute)
		if err != nil || code != http.StatusUnprocessableEntity {
			r.t.Errorf("bad form %q: %d %s %v, want 422", b.name, code, body, err)
		}
	}
}

// hostileRequests asks the API about ids that are no ids: each gets a
// 4xx, and the producer still serves afterwards.
func (r *chaosRig) hostileRequests(goodID string) {
	for name, id := range map[string]string{
		"4,100 characters": strings.Repeat("a", 4100),
		"wildcard *":       "ab*cd",
		"wildcard >":       "ab>",
		"space":            "ab cd",
		"NUL":              "ab\x00cd",
	} {
		resp, err := httpClient.Get(r.apiURL + "/v1/forms/" + url.PathEscape(id))
		if err != nil {
			r.t.Errorf("GET id with %s: %v", name, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 4 {
			r.t.Errorf("GET id with %s: %s, want 4xx", name, resp.Status)
		}
	}
	resp, err := r.apiHTTP().Get(r.apiURL + "/v1/forms/" + goodID)
	if err != nil {
		r.t.Errorf("after the hostile requests: %v", err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		r.t.Errorf("after the hostile requests, GET a good id: %s", resp.Status)
	}
}

// poisonMsg is a message published straight onto NATS that no service
// can process: it must end as a dead letter with reason poison.
type poisonMsg struct {
	name string
	msg  *nats.Msg
}

func (r *chaosRig) publishPoison() []poisonMsg {
	tp := r.taxpayers[0]
	sub := func(name, id string, body string) poisonMsg {
		m := nats.NewMsg(streams.SubmitSubject(tp))
		m.Header.Set(streams.HeaderID, id)
		m.Header.Set(streams.HeaderTaxpayer, tp)
		m.Data = []byte(body)
		return poisonMsg{name, m}
	}
	// A sent event whose receipt lacks the request id: JSON, so that
	// every reader of the status events can read it, poison to the poller.
	receipt := nats.NewMsg(streams.StatusSubject(tp))
	receipt.Data = fmt.Appendf(nil, `{"id":"chaos-poison-receipt","to":"sent","at":"2026-01-01T00:00:00Z","receipt":{"id":"chaos-poison-receipt","taxpayer":%q}}`, tp)
	out := []poisonMsg{
		sub("submission with a 5,000-character Salyq-Id", strings.Repeat("a", 5000), "<fno>chaos-poison-long-id</fno>"),
		sub("submission with NUL in Salyq-Id", "chaos\x00poison", "<fno>chaos-poison-nul</fno>"),
		sub("submission that is not XML", fmt.Sprintf("%032x", r.cfg.seed), "chaos-poison-not-xml {]"),
		{"receipt without a request id", receipt},
	}
	for _, p := range out {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := r.js.PublishMsg(ctx, p.msg)
		cancel()
		if err != nil {
			r.t.Errorf("publishing poison %q: %v", p.name, err)
		}
	}
	return out
}
