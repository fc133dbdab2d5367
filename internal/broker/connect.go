package broker

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Connect opens a connection that keeps reconnecting, and its JetStream
// context. It tries once; services use Dial. opts add to salyq's own
// (credentials and TLS: Security.Options).
func Connect(url, name string, opts ...nats.Option) (*nats.Conn, jetstream.JetStream, error) {
	return connect(url, name, nil, opts)
}

// Dial connects like Connect, but while no server answers it tries again
// with backoff (a WARN per try) until ctx ends: a service started before
// its cluster, or restarted during an outage, waits instead of exiting.
// Once connected, the connection logs losing and regaining the server.
func Dial(ctx context.Context, url, name string, p Patience, opts ...nats.Option) (*nats.Conn, jetstream.JetStream, error) {
	p = p.withDefaults()
	var nc *nats.Conn
	var js jetstream.JetStream
	err := Retry(ctx, p, "connecting to NATS at "+Redact(url), connectTemporary, func(context.Context) error {
		var err error
		nc, js, err = connect(url, name, p.Log, opts)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return nc, js, nil
}

func connect(u, name string, log *slog.Logger, extra []nats.Option) (*nats.Conn, jetstream.JetStream, error) {
	opts := append([]nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
	}, extra...)
	if log != nil {
		opts = append(opts,
			nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
				log.Warn("NATS connection lost, reconnecting", "err", err)
			}),
			nats.ReconnectHandler(func(nc *nats.Conn) {
				log.Info("NATS connection restored", "server", Redact(nc.ConnectedUrl()))
			}),
		)
	}
	nc, err := nats.Connect(u, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("broker: connect %s: %w", Redact(u), err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("broker: jetstream: %w", err)
	}
	return nc, js, nil
}

// Redact drops user and password from NATS URLs (a comma-separated list)
// so that they can be logged.
func Redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil || u.User == nil {
			continue
		}
		u.User = nil
		parts[i] = u.String()
	}
	return strings.Join(parts, ",")
}
