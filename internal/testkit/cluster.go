package testkit

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Cluster is a JetStream cluster of nats-servers inside the test process,
// joined by routes on loopback, each with its store in a temp dir.
type Cluster struct {
	Servers []*server.Server
}

// StartCluster starts an n-node JetStream cluster (client and route ports
// on random loopback ports), waits until it has a meta leader that every
// node follows, and shuts it down when the test ends. Use it where a test
// needs replicated streams (Replicas 3) or a leader to fail over; for
// everything else JetStream is cheaper.
//
// Route ports are picked by binding and releasing them, so another process
// could take one in between; that is rare enough for tests.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	ports := make([]int, n)
	routes := make([]*url.URL, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		routes[i] = &url.URL{Scheme: "nats", Host: fmt.Sprintf("127.0.0.1:%d", ports[i])}
	}
	dir := t.TempDir()
	c := &Cluster{}
	for i := range n {
		opts := &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			Host:       "127.0.0.1",
			Port:       server.RANDOM_PORT,
			JetStream:  true,
			StoreDir:   filepath.Join(dir, fmt.Sprintf("n%d", i+1)),
			// Tests do not need every write on disk before its ack.
			SyncInterval: time.Minute,
			NoSigs:       true,
			NoLog:        true,
			Cluster: server.ClusterOpts{
				Name: "salyq-test",
				Host: "127.0.0.1",
				Port: ports[i],
			},
			Routes: routes,
		}
		srv, err := server.NewServer(opts)
		if err != nil {
			t.Fatal(err)
		}
		go srv.Start()
		c.Servers = append(c.Servers, srv)
		t.Cleanup(func() {
			srv.Shutdown()
			srv.WaitForShutdown()
		})
	}
	for _, s := range c.Servers {
		if !s.ReadyForConnections(30 * time.Second) {
			t.Fatalf("cluster node %s did not start", s.Name())
		}
	}
	c.WaitMetaLeader(t, 60*time.Second)
	return c
}

// URLs is the client URL of every node, comma-separated as --nats takes
// them.
func (c *Cluster) URLs() string {
	urls := make([]string, len(c.Servers))
	for i, s := range c.Servers {
		urls[i] = s.ClientURL()
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
		for _, s := range c.Servers {
			if !s.Running() {
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
