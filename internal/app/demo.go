package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/salyq/salyq/pkg/ncakey"
)

func cmdDemo(ctx context.Context, args []string, stdio IO, sandbox OpenSandbox) error {
	var cfg Config
	fs := newFlags("demo", stdio, &cfg)
	n := fs.Int("forms", 300, "how many sample 910.00 forms to file")
	keep := fs.Bool("keep", false, "keep the demo's data directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	if cfg.NATS != "" || cfg.Gateway != "" {
		return fmt.Errorf("%w: the demo runs everything embedded; use run and submit against real services", ErrUsage)
	}
	if sandbox == nil {
		return fmt.Errorf("%w: the demo needs the in-process sandbox, which this binary does not link", ErrConfig)
	}
	// A fresh directory: the demo's forms must not meet an earlier run's.
	dir, err := os.MkdirTemp("", "salyq-demo-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Fprintf(stdio.Out, "data: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	cfg.Data, cfg.HTTP = filepath.Join(dir, "data"), ""
	log := logger(cfg, stdio.Err)
	if !cfg.Verbose {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := ApplyMemoryLimit(cfg, true, log); err != nil {
		return err
	}
	fmt.Fprintln(stdio.Out, "starting embedded JetStream and the sandbox gateway; generating test keys…")
	rt, err := Open(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer rt.Close()
	rt.OpenSandbox = sandbox
	if err := rt.OpenGateway(ctx); err != nil {
		return err
	}
	var taxpayers []string
	for _, e := range rt.Keys.Entries() {
		id := e.Key.Identity()
		if _, err := rt.Keys.ForTaxpayer(id.TaxpayerID(), rt.Clock()); err == nil && id.Role != ncakey.RoleInfoSystem {
			taxpayers = append(taxpayers, id.TaxpayerID())
		}
	}
	taxpayers = unique(taxpayers)
	forms := SampleForms(taxpayers, *n)

	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- Serve(sctx, rt, Parts{Worker: true, Poller: true}) }()
	defer func() { stop(); <-done }()

	in, err := rt.NewIntake()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Out, "filing %d forms of %d taxpayers…\n", len(forms), len(taxpayers))
	start := time.Now()
	ids := make([]string, 0, len(forms))
	for _, f := range forms {
		res, err := in.Submit(ctx, f)
		if err != nil {
			return fmt.Errorf("sample form refused: %w", err)
		}
		ids = append(ids, res.ID)
	}
	views, err := waitFinal(ctx, rt.Board, ids, isTerminal(stdio.Out), stdio)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintln(stdio.Out)
	printSummary(stdio, views, elapsed)
	accepted, twice := rt.Sandbox.Filings()
	fmt.Fprintf(stdio.Out, "\nsandbox: %d filings accepted, %d filed twice\n", accepted, twice)
	return nil
}

func unique(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
