package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/spf13/pflag"
)

// TestStartStopLines runs the producer with --log-format json and
// secrets in flags, the environment and the NATS URL: every line is
// JSON, the first one carries the effective configuration with every
// secret as set/unset, the last one says it stopped, and no secret is in
// any line.
func TestStartStopLines(t *testing.T) {
	emb := testkit.NATS(t)
	const senderPW, keysPW, natsPW = "Sender-Secret-1", "Keys-Secret-2", "Nats-Secret-3"
	t.Setenv("SALYQ_KEYS_PASSWORD", keysPW)
	t.Setenv("SALYQ_TRANSPORT_KEY_PASSWORD", "")
	natsURL := strings.Replace(emb.URL(), "nats://", "nats://salyq:"+natsPW+"@", 1)
	var errs testenv.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Service("producer", Parts{Intake: true})(ctx, []string{"--nats", natsURL, "--data", t.TempDir(), "--keys", t.TempDir(),
			"--http", "127.0.0.1:0", "--sender-password", senderPW, "--log-format", "json", "--log-level", "debug"},
			IO{In: strings.NewReader(""), Out: io.Discard, Err: &errs})
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(errs.String(), "intake API listening") {
		if time.Now().After(deadline) {
			t.Fatalf("the producer did not start: %s", errs.String())
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("producer: %v", err)
	}
	out := strings.TrimSpace(errs.String())
	for _, s := range []string{senderPW, keysPW, natsPW} {
		if strings.Contains(out, s) {
			t.Errorf("secret %q in the log:\n%s", s, out)
		}
	}
	lines := strings.Split(out, "\n")
	var first, last map[string]any
	for i, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", i+1, err, l)
		}
		if i == 0 {
			first = rec
		}
		last = rec
	}
	want := map[string]any{"msg": "salyq starting", "parts": "intake", "sender-password": "set", "keys-password": "set",
		"transport-key-password": "unset", "log-format": "json", "log-level": "debug", "http": "127.0.0.1:0", "replicas": "1"}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("start line: %s = %v, want %v\n%s", k, first[k], v, lines[0])
		}
	}
	if u, _ := first["nats"].(string); !strings.Contains(u, "salyq:xxxxx@") {
		t.Errorf("start line: nats = %q, want the URL with its password hidden", u)
	}
	if last["msg"] != "salyq stopped" || last["level"] != "INFO" {
		t.Errorf("last line: %v", last)
	}
}

func TestCheckLog(t *testing.T) {
	for _, c := range []struct {
		cfg Config
		ok  bool
	}{
		{Config{LogFormat: "json", LogLevel: "warn"}, true},
		{Config{LogFormat: "text", LogLevel: "ERROR"}, true},
		{Config{LogFormat: "", LogLevel: "info"}, true},
		{Config{LogFormat: "xml", LogLevel: "info"}, false},
		{Config{LogFormat: "text", LogLevel: "loud"}, false},
		{Config{LogFormat: "text", LogLevel: "loud", Verbose: true}, true},
	} {
		if err := checkLog(c.cfg); (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrUsage)) {
			t.Errorf("checkLog(%+v) = %v", c.cfg, err)
		}
	}
	var b bytes.Buffer
	log := logger(Config{LogFormat: "json", LogLevel: "warn"}, &b)
	log.Info("hidden")
	log.Warn("shown", "k", "v")
	var rec map[string]any
	if err := json.Unmarshal(b.Bytes(), &rec); err != nil || rec["msg"] != "shown" || strings.Count(b.String(), "\n") != 1 {
		t.Errorf("json logger at warn wrote %q (%v)", b.String(), err)
	}
}

func TestConfigAttrsHideSecrets(t *testing.T) {
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.String("nats-password", "pw1", "")
	fs.String("nats-token", "", "")
	fs.String("api-tokens", "/etc/salyq/tokens", "")
	fs.String("nats", "nats://a:pw2@h1:4222,nats://TOKEN3@h2:4222,nats://h3:4222", "")
	attrs := configAttrs(fs, Config{KeysPassword: "pw4"})
	var b bytes.Buffer
	logger(Config{LogFormat: "text", LogLevel: "info"}, &b).Info("start", attrs...)
	out := b.String()
	for _, s := range []string{"pw1", "pw2", "TOKEN3", "pw4"} {
		if strings.Contains(out, s) {
			t.Errorf("%s in %s", s, out)
		}
	}
	for _, s := range []string{"nats-password=set", "nats-token=unset", "api-tokens=/etc/salyq/tokens", "nats://h3:4222", "keys-password=set"} {
		if !strings.Contains(out, s) {
			t.Errorf("no %s in %s", s, out)
		}
	}
}
