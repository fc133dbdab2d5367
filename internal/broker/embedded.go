package broker

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Durability is how often JetStream flushes its files to disk.
type Durability struct {
	// SyncAlways fsyncs every write before it is acknowledged: a
	// publisher's ack then means "on disk", which is what salyq promises
	// its callers. It is the default.
	SyncAlways bool
	// SyncInterval is the flush period when SyncAlways is off; writes
	// acknowledged within the last interval can be lost on power failure
	// (not on a process crash).
	SyncInterval time.Duration
}

// ParseDurability reads "always" or a duration such as "2m".
func ParseDurability(s string) (Durability, error) {
	if s == "" || s == "always" {
		return Durability{SyncAlways: true}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return Durability{}, fmt.Errorf("sync %q: want \"always\" or a positive duration", s)
	}
	return Durability{SyncInterval: d}, nil
}

func (d Durability) String() string {
	if d.SyncAlways {
		return "always"
	}
	return d.SyncInterval.String()
}

// EmbeddedConfig configures the embedded server.
type EmbeddedConfig struct {
	// Dir is the data directory; streams live in Dir/jetstream.
	Dir string
	// Port is the loopback client port; 0 picks a free one.
	Port int
	// Durability is the JetStream sync setting.
	Durability Durability
}

// Embedded is a running embedded NATS JetStream server.
type Embedded struct {
	srv     *server.Server
	urlFile string
}

// StartEmbedded starts a JetStream server on loopback with file storage
// under cfg.Dir.
func StartEmbedded(cfg EmbeddedConfig) (*Embedded, error) {
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("broker: data dir: %w", err)
	}
	port := cfg.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}
	opts := &server.Options{
		ServerName:   "salyq-embedded",
		Host:         "127.0.0.1",
		Port:         port,
		JetStream:    true,
		StoreDir:     filepath.Join(cfg.Dir, "jetstream"),
		SyncAlways:   cfg.Durability.SyncAlways,
		SyncInterval: cfg.Durability.SyncInterval,
		NoSigs:       true,
		NoLog:        true,
		MaxPayload:   8 << 20,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("broker: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, ErrNotReady
	}
	e := &Embedded{srv: srv, urlFile: filepath.Join(cfg.Dir, "nats.url")}
	if err := os.WriteFile(e.urlFile, []byte(srv.ClientURL()+"\n"), 0o600); err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("broker: %w", err)
	}
	return e, nil
}

// URL is the client URL of the server.
func (e *Embedded) URL() string { return e.srv.ClientURL() }

// Shutdown stops the server after flushing JetStream, and removes the URL
// file so admin commands do not try a dead server — only while it still
// names this server: a file another server wrote since is not ours.
func (e *Embedded) Shutdown() {
	if b, err := os.ReadFile(e.urlFile); err == nil && strings.TrimSpace(string(b)) == e.srv.ClientURL() {
		os.Remove(e.urlFile)
	}
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

// FindURL resolves the NATS URL: the given one, or the one a running
// embedded server wrote into dir.
func FindURL(url, dir string) (string, error) {
	if url != "" {
		return url, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, "nats.url"))
	if err != nil {
		return "", ErrNoServer
	}
	return strings.TrimSpace(string(b)), nil
}
