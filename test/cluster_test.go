package test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"
)

// natsCluster is the three-node JetStream cluster of the chaos test,
// started from the configurations shipped in deployments/nats. What must
// differ on one machine is overridden on nats-server's command line:
// address, ports, server name and routes. The store directory and the
// route certificates are the exceptions (see localNATSConf): each node
// runs a copy of its file that points them into its temp dir.
type natsCluster struct {
	t     testing.TB
	nodes []*proc
	names []string
	urls  []string // client URLs
	mons  []string // monitoring base URLs
}

// The SALYQ account's user of the shipped configurations; the servers
// read the password from their environment, as on a real host.
const (
	clusterUser     = "salyq"
	clusterPassword = "chaos-nats-secret"
)

func startCluster(t testing.TB, bin, dir string) *natsCluster {
	t.Helper()
	ports := testenv.FreePorts(t, 9)
	c := &natsCluster{t: t}
	var routes []string
	for i := range 3 {
		routes = append(routes, fmt.Sprintf("tls://127.0.0.1:%d", ports[6+i]))
	}
	certs := newRouteCerts(t, "salyq test cluster CA")
	for i := range 3 {
		name := fmt.Sprintf("nats-%d", i+1)
		conf := localNATSConf(t, name, filepath.Join(dir, name), certs)
		mon := fmt.Sprintf("http://127.0.0.1:%d", ports[3+i])
		c.names = append(c.names, name)
		c.urls = append(c.urls, fmt.Sprintf("nats://127.0.0.1:%d", ports[i]))
		c.mons = append(c.mons, mon)
		c.nodes = append(c.nodes, &proc{
			t: t, name: name, bin: bin, env: append(baseEnv(), "SALYQ_NATS_PASSWORD="+clusterPassword), log: filepath.Join(dir, name+".log"), respawn: true,
			args: []string{"-c", conf, "-a", "127.0.0.1", "-n", name,
				"-p", fmt.Sprint(ports[i]), "-m", fmt.Sprint(ports[3+i]),
				"--cluster", routes[i], "--routes", strings.Join(routes, ",")},
			ready: httpReady(mon + "/healthz?js-enabled-only=true"),
		})
	}
	for _, n := range c.nodes {
		n.start()
	}
	c.waitReady(time.Minute)
	return c
}

// URL is the seed list the services connect with.
func (c *natsCluster) URL() string { return strings.Join(c.urls, ",") }

// waitReady waits for every node to serve and for a meta leader.
func (c *natsCluster) waitReady(timeout time.Duration) {
	c.t.Helper()
	for _, n := range c.nodes {
		if err := n.waitReady(timeout); err != nil {
			c.t.Fatal(err)
		}
	}
	deadline := time.Now().Add(timeout)
	for {
		if _, err := c.metaLeader(); err == nil {
			return
		} else if time.Now().After(deadline) {
			c.t.Fatalf("no JetStream meta leader after %s: %v", timeout, err)
		}
		time.Sleep(200 * time.Millisecond) // polling a condition, with a deadline
	}
}

// metaLeader returns the index of the node that leads the JetStream meta
// group, as the running nodes' /jsz report it.
func (c *natsCluster) metaLeader() (int, error) {
	var last error
	for i, n := range c.nodes {
		if !n.alive() {
			continue
		}
		var jsz struct {
			Meta *struct {
				Leader string `json:"leader"`
			} `json:"meta_cluster"`
		}
		if err := getJSON(c.mons[i]+"/jsz", &jsz); err != nil {
			last = err
			continue
		}
		if jsz.Meta == nil || jsz.Meta.Leader == "" {
			last = fmt.Errorf("%s: no meta leader yet", c.names[i])
			continue
		}
		for j, name := range c.names {
			if name == jsz.Meta.Leader {
				return j, nil
			}
		}
		return -1, fmt.Errorf("meta leader %q is not one of %v", jsz.Meta.Leader, c.names)
	}
	if last == nil {
		last = fmt.Errorf("no node running")
	}
	return -1, last
}

func getJSON(url string, v any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	resp, err := get2xx(ctx, url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
