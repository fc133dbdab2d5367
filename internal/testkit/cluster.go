package testkit

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/salyq/salyq/internal/testenv"
)

// Cluster is a JetStream cluster of nats-servers inside the test process,
// joined by routes on loopback, each node with its store in a temp dir.
// Ports are fixed when the cluster is made, so a node can be stopped and
// started again (Stop, Start) on the same address and store, and URLs are
// known before any node runs.
type Cluster struct {
	opts []*server.Options

	mu      sync.Mutex
	servers []*server.Server
}

// StartCluster starts an n-node JetStream cluster and waits until it has
// a meta leader that every node follows; it shuts down when the test
// ends. Use it where a test needs replicated streams (Replicas 3) or a
// leader to lose; for everything else JetStream is cheaper.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	c := NewCluster(t, n)
	for i := range n {
		c.Start(t, i)
	}
	c.WaitMetaLeader(t, 60*time.Second)
	return c
}

// NewCluster configures an n-node cluster without starting a node: a test
// of a service that starts before its cluster starts the nodes later.
//
// Ports are picked by binding and releasing them, so another process
// could take one in between; that is rare enough for tests.
func NewCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	clientPorts, routePorts := testenv.FreePorts(t, n), testenv.FreePorts(t, n)
	routes := make([]*url.URL, n)
	for i, p := range routePorts {
		routes[i] = &url.URL{Scheme: "nats", Host: fmt.Sprintf("127.0.0.1:%d", p)}
	}
	dir := t.TempDir()
	c := &Cluster{servers: make([]*server.Server, n)}
	for i := range n {
		name := fmt.Sprintf("n%d", i+1)
		c.opts = append(c.opts, &server.Options{
			ServerName: name,
			Host:       "127.0.0.1",
			Port:       clientPorts[i],
			JetStream:  true,
			StoreDir:   filepath.Join(dir, name),
			// Tests do not need every write on disk before its ack.
			SyncInterval: time.Minute,
			NoSigs:       true,
			NoLog:        true,
			Cluster:      server.ClusterOpts{Name: "salyq-test", Host: "127.0.0.1", Port: routePorts[i]},
			Routes:       routes,
		})
	}
	t.Cleanup(func() {
		for i := range n {
			c.Stop(i)
		}
	})
	return c
}

// Start starts node i (again, after Stop, on the same ports and store)
// and waits until it accepts clients.
func (c *Cluster) Start(t testing.TB, i int) {
	t.Helper()
	opts := *c.opts[i]
	srv := StartServer(t, &opts)
	c.mu.Lock()
	c.servers[i] = srv
	c.mu.Unlock()
}

// Stop shuts node i down, if it runs.
func (c *Cluster) Stop(i int) {
	c.mu.Lock()
	srv := c.servers[i]
	c.servers[i] = nil
	c.mu.Unlock()
	if srv != nil {
		srv.Shutdown()
		srv.WaitForShutdown()
	}
}

// Server is node i, or nil while it is stopped.
func (c *Cluster) Server(i int) *server.Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.servers[i]
}

// URLs is the client URL of every node, comma-separated as --nats takes
// them.
func (c *Cluster) URLs() string {
	urls := make([]string, len(c.opts))
	for i, o := range c.opts {
		urls[i] = fmt.Sprintf("nats://127.0.0.1:%d", o.Port)
	}
	return strings.Join(urls, ",")
}

// WaitMetaLeader waits until one running node leads the JetStream meta
// group and every running node is current with it.
func (c *Cluster) WaitMetaLeader(t testing.TB, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		leader, current := false, true
		for i := range c.opts {
			s := c.Server(i)
			if s == nil {
				continue
			}
			leader = leader || s.JetStreamIsLeader()
			current = current && s.JetStreamIsCurrent()
		}
		if leader && current {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no JetStream meta leader within %s", within)
}

// StartServer starts a nats-server in the test process with opts and
// waits until it accepts clients; the caller shuts it down.
func StartServer(t testing.TB, opts *server.Options) *server.Server {
	t.Helper()
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		t.Fatalf("nats-server %s%s did not start", opts.ServerName, opts.ConfigFile)
	}
	return srv
}
