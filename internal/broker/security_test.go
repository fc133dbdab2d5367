package broker_test

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/salyq/salyq/internal/broker"
)

// authServer is a real nats-server in the test process that admits one
// user with a password, with JetStream in its account.
func authServer(t *testing.T, user, password string) string {
	t.Helper()
	opts := &server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true,
		JetStream: true, StoreDir: t.TempDir(),
		Users: []*server.User{{Username: user, Password: password}},
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(srv.Shutdown)
	return srv.ClientURL()
}

// TestSecurityUserPassword: the right password connects and JetStream
// answers; a wrong one fails at once (no retrying a refusal) with an
// error that does not carry the password; none fails too.
func TestSecurityUserPassword(t *testing.T) {
	const secret = "s3cret-Pa55word-xyz"
	url := authServer(t, "salyq", secret)

	opts, err := broker.Security{User: "salyq", Password: secret}.Options()
	if err != nil {
		t.Fatal(err)
	}
	nc, js, err := broker.Connect(url, "security-test", opts...)
	if err != nil {
		t.Fatalf("right password: %v", err)
	}
	defer nc.Close()
	if _, err := js.AccountInfo(t.Context()); err != nil {
		t.Fatalf("JetStream with the right password: %v", err)
	}

	const wrong = "wr0ng-Pa55word-abc"
	opts, _ = broker.Security{User: "salyq", Password: wrong}.Options()
	start := time.Now()
	_, _, err = broker.Dial(t.Context(), url, "security-test", broker.Patience{Initial: 50 * time.Millisecond}, opts...)
	if err == nil {
		t.Fatal("wrong password connected")
	}
	if !errors.Is(err, nats.ErrAuthorization) && !strings.Contains(strings.ToLower(err.Error()), "authorization") {
		t.Errorf("wrong password: %v, want an authorization error", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), secret) {
		t.Errorf("error carries the password: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a refused authorization was retried for %s", d)
	}
	if _, _, err := broker.Connect(url, "security-test"); err == nil {
		t.Error("no credentials connected")
	}
	// Printed or logged, the settings show no password.
	sec := broker.Security{User: "salyq", Password: secret}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "nats", sec)
	for _, s := range []string{sec.String(), fmt.Sprintf("%+v", struct{ NATS broker.Security }{sec}), logged.String()} {
		if strings.Contains(s, secret) {
			t.Errorf("%q carries the password", s)
		}
	}
}

// TestSecurityOneCredential: two kinds of credential at once are a
// configuration error, not a guess.
func TestSecurityOneCredential(t *testing.T) {
	_, err := broker.Security{User: "u", Password: "p", Creds: "x.creds"}.Options()
	if !errors.Is(err, broker.ErrSecurityConfig) {
		t.Errorf("creds and user: %v", err)
	}
	_, err = broker.Security{Password: "p"}.Options()
	if !errors.Is(err, broker.ErrSecurityConfig) || strings.Contains(err.Error(), "p\"") {
		t.Errorf("password without user: %v", err)
	}
}
