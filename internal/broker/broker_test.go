package broker_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/broker"
)

func TestParseDurability(t *testing.T) {
	tests := []struct {
		in      string
		want    broker.Durability
		str     string
		wantErr bool
	}{
		{"", broker.Durability{SyncAlways: true}, "always", false},
		{"always", broker.Durability{SyncAlways: true}, "always", false},
		{"2m", broker.Durability{SyncInterval: 2 * time.Minute}, "2m0s", false},
		{"250ms", broker.Durability{SyncInterval: 250 * time.Millisecond}, "250ms", false},
		{"0s", broker.Durability{}, "", true},
		{"-1s", broker.Durability{}, "", true},
		{"sometimes", broker.Durability{}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, err := broker.ParseDurability(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if d != tc.want || d.String() != tc.str {
				t.Errorf("%+v %q, want %+v %q", d, d.String(), tc.want, tc.str)
			}
		})
	}
}

// TestEmbedded starts a real server: loopback only, JetStream files under
// the data dir, its URL in nats.url for FindURL, removed at shutdown.
func TestEmbedded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	emb, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: dir, Durability: broker.Durability{SyncAlways: true}})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			emb.Shutdown()
		}
	})
	if !strings.HasPrefix(emb.URL(), "nats://127.0.0.1:") {
		t.Errorf("URL %q is not on loopback", emb.URL())
	}
	got, err := broker.FindURL("", dir)
	if err != nil || got != emb.URL() {
		t.Fatalf("FindURL = %q, %v; want %q", got, err, emb.URL())
	}
	if got, err := broker.FindURL("nats://elsewhere:4222", dir); err != nil || got != "nats://elsewhere:4222" {
		t.Errorf("an explicit URL is not taken as is: %q, %v", got, err)
	}

	nc, js, err := broker.Connect(emb.URL(), "broker-test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}, Storage: jetstream.FileStorage}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "t.1", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "jetstream")); err != nil {
		t.Errorf("no JetStream store under the data dir: %v", err)
	}

	nc.Close()
	emb.Shutdown()
	stopped = true
	if _, err := broker.FindURL("", dir); !errors.Is(err, broker.ErrNoServer) {
		t.Errorf("after shutdown FindURL err = %v, want ErrNoServer", err)
	}

	// Restarted on the same dir, the stream and its message are there.
	emb2, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: dir, Durability: broker.Durability{SyncAlways: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer emb2.Shutdown()
	nc2, js2, err := broker.Connect(emb2.URL(), "broker-test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc2.Close()
	s, err := js2.Stream(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Errorf("after restart the stream holds %d messages, want 1", info.State.Msgs)
	}
}

func TestFindURLNoServer(t *testing.T) {
	if _, err := broker.FindURL("", t.TempDir()); !errors.Is(err, broker.ErrNoServer) {
		t.Errorf("err = %v, want ErrNoServer", err)
	}
}

func TestConnectRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "nats://" + ln.Addr().String()
	ln.Close()
	if nc, _, err := broker.Connect(url, "broker-test"); err == nil {
		nc.Close()
		t.Fatal("connected to a closed port")
	}
}
