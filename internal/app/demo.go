package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/spf13/cobra"
)

func (c CLI) demoCommand(stdio IO) *cobra.Command {
	var (
		cfg  Config
		n    int
		keep bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "everything embedded: sample forms to final statuses, with a summary",
		Long: `The demo starts an embedded NATS JetStream server and the sandbox gateway
in a fresh temporary directory, files sample 910.00 forms for the sandbox's
test taxpayers and prints outcome counts, rejection reasons, dead letters,
elapsed time and forms/s.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return demo(cmd.Context(), cfg, n, keep, stdio, c.Sandbox)
		},
	}
	cfg.Register(cmd.Flags(), All)
	cmd.Flags().IntVar(&n, "forms", 300, "how many sample 910.00 forms to file")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the demo's data directory")
	return cmd
}

func demo(ctx context.Context, cfg Config, n int, keep bool, stdio IO, sandbox OpenSandbox) error {
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
	if keep {
		fmt.Fprintf(stdio.Out, "data: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	cfg.Data, cfg.HTTP = filepath.Join(dir, "data"), ""
	// The sandbox takes no breaks: a schedule meant for the real gateway
	// (SALYQ_BREAKS in an environment file) must not hold the demo until
	// morning.
	cfg.Breaks = breaks.Schedule{}
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
	forms := SampleForms(taxpayers, n)

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
