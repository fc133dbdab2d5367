package testkit

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/streams"
)

// NATS starts a real nats-server with JetStream inside the test process
// (random loopback port, temp store, fsync once a minute: tests do not
// lose power); it stops when the test ends, or earlier by Shutdown.
func NATS(t testing.TB) *broker.Embedded {
	t.Helper()
	emb, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: t.TempDir(), Durability: broker.Durability{SyncInterval: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	return emb
}

// JetStream starts a real nats-server inside the test process (random
// loopback port, temp store), connects, and provisions salyq's streams
// and buckets; everything stops when the test ends.
func JetStream(t testing.TB) (jetstream.JetStream, *streams.Set) {
	t.Helper()
	nc, js, err := broker.Connect(NATS(t).URL(), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	set, err := streams.Provision(context.Background(), js, streams.Config{DuplicateWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return js, set
}
