package test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/ncakey"
)

// chaosRig is salyq deployed as in production, on one machine: a
// three-node JetStream cluster, the sandbox gateway with faults, one
// producer, two workers and two pollers, every one a separate OS process
// built from cmd/.
type chaosRig struct {
	t   *testing.T
	cfg chaosConfig
	dir string
	bin string
	rnd *rand.Rand

	cluster   *natsCluster
	sim       *proc
	simURL    string
	producer  *proc
	apiURL    string
	apiOnce   sync.Once
	api       *http.Client
	workers   []*proc
	pollers   []*proc
	pollerDir map[*proc]string
	// serviceURL is the base URL of each service's HTTP listener.
	serviceURL map[*proc]string

	taxpayers []string
	nc        *nats.Conn
	js        jetstream.JetStream
}

func newChaosRig(t *testing.T, cfg chaosConfig) *chaosRig {
	t.Helper()
	dir := t.TempDir()
	if cfg.dir != "" {
		// Kept after the test, to read every process's log in full.
		dir = filepath.Join(cfg.dir, fmt.Sprintf("chaos-%d-%d", cfg.seed, time.Now().Unix()))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		t.Logf("chaos: logs and data in %s", dir)
	}
	r := &chaosRig{t: t, cfg: cfg, dir: dir, rnd: rand.New(rand.NewPCG(uint64(cfg.seed), 9)), pollerDir: map[*proc]string{}, serviceURL: map[*proc]string{}}
	r.bin = filepath.Join(r.dir, "bin")
	buildBinaries(t, r.bin)
	t.Cleanup(func() {
		if t.Failed() {
			r.printTails(40)
		}
		for _, p := range r.all() {
			p.close()
		}
	})

	r.cluster = startCluster(t, filepath.Join(r.bin, "nats-server"), r.dir)
	nc, err := nats.Connect(r.cluster.URL(), nats.Name("salyq-chaos-test"), nats.UserInfo(clusterUser, clusterPassword), nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	r.nc = nc
	if r.js, err = jetstream.New(nc); err != nil {
		t.Fatal(err)
	}

	pki, err := sonosim.OpenPKI(filepath.Join(r.dir, "pki"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r.taxpayers = keystoreTaxpayers(t, pki.KeystoreDir)
	r.startSandbox(pki)
	r.startServices(pki)
	return r
}

// keystoreTaxpayers lists the taxpayers the sandbox keystore can sign for.
func keystoreTaxpayers(t *testing.T, dir string) []string {
	ks, err := ncakey.OpenKeystore(dir, ncakey.KeystoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ks.Entries() {
		id := e.Key.Identity()
		if id.Role == ncakey.RoleInfoSystem {
			continue
		}
		if _, err := ks.ForTaxpayer(id.TaxpayerID(), time.Now()); err == nil && !slices.Contains(out, id.TaxpayerID()) {
			out = append(out, id.TaxpayerID())
		}
	}
	if len(out) == 0 {
		t.Fatal("the sandbox keystore has no taxpayer key")
	}
	return out
}

// startSandbox runs sono-sim with every kind of fault the issue names.
// It is never killed: it is SONO, and its statistics are the test's
// count of filings.
func (r *chaosRig) startSandbox(pki *sonosim.PKI) {
	port := testenv.FreePorts(r.t, 1)[0]
	r.simURL = fmt.Sprintf("http://127.0.0.1:%d", port)
	r.sim = &proc{
		t: r.t, name: "sono-sim", bin: filepath.Join(r.bin, "sono-sim"), env: baseEnv(), log: filepath.Join(r.dir, "sono-sim.log"), respawn: true,
		args: []string{"-addr", fmt.Sprintf("127.0.0.1:%d", port), "-pki", pki.Dir, "-seed", fmt.Sprint(r.cfg.seed),
			"-status-step", "300ms", "-handoff-delay", "1s",
			"-rate-503", "0.03", "-rate-fault", "0.03", "-drop-after-accept", "0.03", "-throttle", "40",
			"-maintenance-every", "30s", "-maintenance-for", "2s"},
		ready: httpReady(r.simURL + "/_sim/stats"),
	}
	r.sim.start()
	if err := r.sim.waitReady(30 * time.Second); err != nil {
		r.t.Fatal(err)
	}
}

// startServices runs the producer, two workers and two pollers against
// the cluster, configured through SALYQ_ variables as the systemd units
// and the Kubernetes manifests configure them.
func (r *chaosRig) startServices(pki *sonosim.PKI) {
	ports := testenv.FreePorts(r.t, 5)
	mk := func(name, binary string, port int) *proc {
		data := filepath.Join(r.dir, name)
		if err := os.MkdirAll(data, 0o700); err != nil {
			r.t.Fatal(err)
		}
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		env := append(baseEnv(),
			"SALYQ_NATS="+r.cluster.URL(),
			"SALYQ_NATS_USER="+clusterUser,
			"SALYQ_NATS_PASSWORD="+clusterPassword,
			"SALYQ_REPLICAS=3",
			"SALYQ_DATA="+data,
			fmt.Sprintf("%s=127.0.0.1:%d", httpEnv[binary], port),
			"SALYQ_GATEWAY="+r.simURL+"/bip-sync-wss-gost/",
			"SALYQ_KEYS="+pki.KeystoreDir,
			"SALYQ_TRANSPORT_KEY="+pki.TransportKeyFile,
			"SALYQ_GATEWAY_CERT="+pki.GatewayCertFile,
			"SALYQ_SENDER_ID=salyq-chaos",
			"SALYQ_SENDER_PASSWORD=chaos-secret",
			"SALYQ_CONCURRENCY=8",
			"SALYQ_MAX_IN_FLIGHT=32",
			// The sandbox hands filings on after a second, not a minute.
			"SALYQ_GRACE=3s",
			"SALYQ_TIMEOUT="+r.cfg.timeout.String(),
			// Shortened for the test (helpers H1 and H3 add them; older
			// builds ignore unknown variables).
			"SALYQ_POLLER_LEASE="+r.cfg.lease.String(),
			"SALYQ_START_TIMEOUT=3m",
		)
		p := &proc{t: r.t, name: name, bin: filepath.Join(r.bin, binary), env: env, log: filepath.Join(r.dir, name+".log"), respawn: true}
		p.ready = r.serviceReady(base)
		r.serviceURL[p] = base
		if binary == "poller" {
			r.pollerDir[p] = data
		}
		return p
	}
	r.producer = mk("producer", "producer", ports[0])
	r.apiURL = fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	r.workers = []*proc{mk("worker-1", "worker", ports[1]), mk("worker-2", "worker", ports[2])}
	r.pollers = []*proc{mk("poller-1", "poller", ports[3]), mk("poller-2", "poller", ports[4])}
	for _, p := range r.services() {
		p.start()
	}
	for _, p := range r.services() {
		if err := p.waitReady(3 * time.Minute); err != nil {
			r.t.Fatal(err)
		}
	}
}

// serviceReady probes /readyz: every service answers it once NATS,
// JetStream and its own parts are up.
func (r *chaosRig) serviceReady(base string) func(ctx context.Context) error {
	return httpReady(base + "/readyz")
}

// checkProbes asserts every service answers /healthz and /readyz once
// everything has settled.
func (r *chaosRig) checkProbes() {
	// The last chaos action may have restarted a service moments ago:
	// give each the time a restart is allowed (it retries NATS and
	// JetStream at start) before its probes must answer.
	for _, p := range r.services() {
		r.mustReady(p, 3*time.Minute)
	}
	for _, p := range r.services() {
		for _, path := range []string{"/healthz", "/readyz"} {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := httpReady(r.serviceURL[p] + path)(ctx); err != nil {
				r.t.Errorf("%s: %v", p.name, err)
			}
			cancel()
		}
		// Every service's /metrics parses and says it is ready and
		// connected.
		m := testkit.Scrape(r.t, r.serviceURL[p]+"/metrics")
		for _, name := range []string{"salyq_ready", "salyq_nats_connected"} {
			if v, ok := m.Value(name); !ok || v != 1 {
				r.t.Errorf("%s: %s = %v (present %v), want 1", p.name, name, v, ok)
			}
		}
	}
	// Of the pollers, exactly one is active. The last action may have
	// killed the active one moments ago: a standby takes over once its
	// lease has not been renewed for a whole period, so this may take
	// that long (polling a condition, with a deadline).
	deadline := time.Now().Add(time.Minute)
	for {
		active := 0
		for _, p := range r.pollers {
			active += int(testkit.Scrape(r.t, r.serviceURL[p]+"/metrics").Get(r.t, "salyq_poller_active"))
		}
		if active == 1 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Errorf("%d pollers report salyq_poller_active 1, want exactly one", active)
			return
		}
		time.Sleep(250 * time.Millisecond) // polling a condition, with a deadline
	}
}

// services are the salyq processes the chaos loop may kill.
func (r *chaosRig) services() []*proc {
	return append([]*proc{r.producer}, append(slices.Clone(r.workers), r.pollers...)...)
}

// all is every process of the rig.
func (r *chaosRig) all() []*proc {
	var out []*proc
	if r.cluster != nil {
		out = append(out, r.cluster.nodes...)
	}
	if r.sim != nil {
		out = append(out, r.sim)
	}
	if r.producer != nil {
		out = append(out, r.services()...)
	}
	return out
}

func (r *chaosRig) printTails(n int) {
	for _, p := range r.all() {
		r.t.Logf("--- last %d lines of %s (%s)\n%s", n, p.name, p.log, p.tail(n))
	}
}

// pause sleeps for about d (±50 %, seeded).
func (r *chaosRig) pause(d time.Duration) time.Duration {
	d = time.Duration(float64(d) * (0.5 + r.rnd.Float64()))
	time.Sleep(d) // the chaos loop's pacing, not synchronisation
	return d
}

// Chaos actions. Each logs what it did and leaves everything running.

// killService SIGKILLs a random service and restarts it.
func (r *chaosRig) killService() {
	svcs := r.services()
	p := svcs[r.rnd.IntN(len(svcs))]
	r.t.Logf("chaos: SIGKILL %s", p.name)
	p.kill()
	d := r.pause(time.Second)
	p.restart()
	r.mustReady(p, 3*time.Minute)
	r.t.Logf("chaos: %s restarted after %s", p.name, d.Round(time.Millisecond))
}

// killMetaLeader SIGKILLs the node leading the JetStream meta group and
// restarts it.
func (r *chaosRig) killMetaLeader() {
	i, err := r.cluster.metaLeader()
	if err != nil {
		r.t.Errorf("chaos: finding the meta leader: %v", err)
		return
	}
	n := r.cluster.nodes[i]
	r.t.Logf("chaos: SIGKILL the JetStream meta leader %s", n.name)
	n.kill()
	d := r.pause(3 * time.Second)
	n.restart()
	r.mustReady(n, 2*time.Minute)
	r.cluster.waitReady(2 * time.Minute)
	r.t.Logf("chaos: %s restarted after %s", n.name, d.Round(time.Millisecond))
}

// outage stops the whole cluster and starts it again. Unless
// SALYQ_CHAOS_OUTAGE says otherwise, it lasts past the longest ack wait of
// the services' consumers, so that every delivery in flight expires while
// the cluster is down and comes again after it.
func (r *chaosRig) outage() {
	d := r.cfg.outage
	ackWait, err := r.longestAckWait()
	if err != nil {
		r.t.Errorf("chaos: %v", err)
	}
	if d == 0 {
		d = max(ackWait+5*time.Second, 20*time.Second)
	}
	r.t.Logf("chaos: stopping the whole cluster for %s (longest consumer ack wait %s)", d, ackWait)
	var wg sync.WaitGroup
	for _, n := range r.cluster.nodes {
		wg.Go(func() {
			if err := n.stop(time.Minute); err != nil {
				r.t.Logf("chaos: stopping %s: %v", n.name, err)
			}
		})
	}
	wg.Wait()
	time.Sleep(d) // the outage itself
	for _, n := range r.cluster.nodes {
		n.restart()
	}
	r.cluster.waitReady(3 * time.Minute)
	r.t.Logf("chaos: cluster back")
}

// loseStore SIGKILLs a poller, deletes its status.db and restarts it.
func (r *chaosRig) loseStore() {
	p := r.pollers[r.rnd.IntN(len(r.pollers))]
	r.t.Logf("chaos: SIGKILL %s and delete its status.db", p.name)
	p.kill()
	db := filepath.Join(r.pollerDir[p], "status.db")
	if err := os.Remove(db); err != nil && !errors.Is(err, os.ErrNotExist) {
		r.t.Errorf("chaos: %v", err)
	}
	p.restart()
	r.mustReady(p, 3*time.Minute)
	r.t.Logf("chaos: %s restarted without its store", p.name)
}

// longestAckWait reads the ack wait of every durable consumer of the
// work queues, as the services configured them.
func (r *chaosRig) longestAckWait() (time.Duration, error) {
	// Right after the meta leader was killed the cluster may not answer
	// API requests for a few seconds: ask again until the budget is spent.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		// Each try has its own deadline: a consumer listing sent while
		// the stream's leader is being elected may never be answered,
		// and must not spend the whole budget.
		try, cancelTry := context.WithTimeout(ctx, 5*time.Second)
		d, err := r.ackWaits(try)
		cancelTry()
		if err == nil || ctx.Err() != nil {
			return d, err
		}
		r.t.Logf("chaos: reading the ack waits again: %v", err)
		time.Sleep(time.Second) // a retry pause, not synchronisation
	}
}

func (r *chaosRig) ackWaits(ctx context.Context) (time.Duration, error) {
	var longest time.Duration
	for _, name := range []string{streams.Submissions, streams.Status} {
		s, err := r.js.Stream(ctx, name)
		if err != nil {
			return longest, fmt.Errorf("ack wait: %s: %w", name, err)
		}
		l := s.ListConsumers(ctx)
		for info := range l.Info() {
			if info.Config.Durable != "" {
				longest = max(longest, info.Config.AckWait)
			}
		}
		if err := l.Err(); err != nil {
			return longest, fmt.Errorf("ack wait: %s consumers: %w", name, err)
		}
	}
	return longest, nil
}

func (r *chaosRig) mustReady(p *proc, timeout time.Duration) {
	if err := p.waitReady(timeout); err != nil {
		r.t.Errorf("chaos: %v", err)
	}
}

// httpClient is the ERP's client: short timeouts, no keep-alive surprises
// across producer restarts.
var httpClient = &http.Client{Timeout: 20 * time.Second}

// apiHTTP is httpClient with every call held to openapi.json, for the
// calls an ERP makes (the hostile requests are meant to break the
// contract and use httpClient).
func (r *chaosRig) apiHTTP() *http.Client {
	r.apiOnce.Do(func() {
		v := newAPIValidator(r.t, r.apiURL, func(err error) { r.t.Error(err) })
		r.api = &http.Client{Timeout: httpClient.Timeout, Transport: v}
	})
	return r.api
}
