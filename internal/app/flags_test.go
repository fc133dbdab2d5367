package app

import (
	"context"
	"log/slog"
	"testing"

	"github.com/salyq/salyq/internal/testkit"
	"github.com/spf13/cobra"
)

// configOf is the configuration of a process running parts, given args and
// the environment, as its command would see it: flags parsed, variables
// applied.
func configOf(parts Parts, args ...string) (Config, error) {
	var cfg Config
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	cfg.Register(cmd.Flags(), parts)
	finish(cmd, IO{})
	if err := cmd.ParseFlags(args); err != nil {
		return cfg, cmd.FlagErrorFunc()(cmd, err)
	}
	return cfg, applyEnv(cmd.Flags(), lookupEnv)
}

// provisioned opens a service runtime on a fresh embedded NATS server,
// closed at the end of the test, and returns it with the server's URL for
// commands run against the same layout.
func provisioned(t *testing.T) (*Runtime, string) {
	t.Helper()
	emb := testkit.NATS(t)
	rt, err := Open(context.Background(), Config{NATS: emb.URL(), Data: t.TempDir()}, slog.New(slog.DiscardHandler), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	return rt, emb.URL()
}
