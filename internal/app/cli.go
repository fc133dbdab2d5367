package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// IO is where a command reads and writes.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

// Program is the body of a salyq binary: its command line run until ctx
// is cancelled.
type Program func(ctx context.Context, args []string, stdio IO) error

// CLI is the salyq command line.
type CLI struct {
	// Sandbox opens the in-process gateway of run, demo and submit
	// without --gateway; without it they need --gateway and --keys like
	// the service binaries.
	Sandbox OpenSandbox
}

// Main runs the salyq command line without the sandbox: CLI{}.Main.
func Main(ctx context.Context, args []string, stdio IO) error { return CLI{}.Main(ctx, args, stdio) }

// Main runs the salyq command line.
func (c CLI) Main(ctx context.Context, args []string, stdio IO) error {
	return execute(ctx, c.Command(stdio), args, stdio)
}

// Command is the salyq command tree, its flags bound to their SALYQ_
// variables.
func (c CLI) Command(stdio IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "salyq",
		Short: "salyq delivers tax forms (ФНО) to SONO through the e-government gateway",
		Long: `salyq delivers tax forms (ФНО) to SONO through the e-government gateway,
exactly once, and follows each form to its final status.

Without --nats, run and demo start an embedded JetStream server under --data
(the other commands find it there); without --gateway they start the sandbox
gateway in-process with its test keys. Every flag can also be set by its
SALYQ_ variable (shown in each command's help); the command line wins.

Exit codes: 0 all done as asked; 1 error; 2 usage; 3 some forms ended
rejected or dead-lettered.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return usageError(cmd, args) },
	}
	root.AddCommand(
		c.runCommand(stdio),
		c.submitCommand(stdio),
		c.formsCommand(stdio),
		statusCommand(stdio),
		dlqCommand(stdio),
		c.demoCommand(stdio),
		keysCommand(stdio),
		tokensCommand(stdio),
		journalCommand(stdio),
		reportCommand(stdio),
	)
	return finish(root, stdio)
}

// Service returns the program of a service binary (cmd/producer,
// cmd/worker, cmd/poller): the given parts against an existing NATS server
// and gateway, until ctx is cancelled. It has no sandbox: a service
// binary links none, and refuses to start without --gateway and --keys.
func Service(name string, parts Parts) Program {
	return func(ctx context.Context, args []string, stdio IO) error {
		var cfg Config
		cmd := &cobra.Command{
			Use:   name,
			Short: "salyq's " + name + " service (" + parts.String() + ")",
			Long: "salyq's " + name + " service, for deployments where the producer, worker and\n" +
				"poller run as separate processes against a NATS JetStream cluster.\n\n" +
				"Exit codes: 0 stopped by a signal; 1 error; 2 usage.",
			Args: noArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return runParts(cmd.Context(), cfg, cmd.Flags(), parts, nil, stdio)
			},
		}
		cfg.Register(cmd.Flags(), parts)
		return execute(ctx, finish(cmd, stdio), args, stdio)
	}
}

// finish makes root behave as every salyq binary does: errors returned,
// not printed (Exec prints them once, with the exit code), usage errors
// marked as such, --version, variables bound to every flag.
func finish(root *cobra.Command, stdio IO) *cobra.Command {
	root.SilenceErrors, root.SilenceUsage = true, true
	root.Version = version()
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	root.SetIn(stdio.In)
	root.SetOut(stdio.Out)
	root.SetErr(stdio.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return fmt.Errorf("%w: %w", ErrUsage, err) })
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { return applyEnv(cmd.Flags(), lookupEnv) }
	bindEnvs(root)
	return root
}

func execute(ctx context.Context, root *cobra.Command, args []string, stdio IO) error {
	// Never nil: cobra reads os.Args when given nil.
	root.SetArgs(append([]string{}, args...))
	return root.ExecuteContext(ctx)
}

// usageError is the error of a command group or the root given no
// subcommand, or an unknown one: its help on stderr, and ErrUsage.
func usageError(cmd *cobra.Command, args []string) error {
	cmd.SetOut(cmd.ErrOrStderr())
	cmd.Usage()
	if len(args) == 0 {
		return fmt.Errorf("%w: %s needs a command", ErrUsage, cmd.CommandPath())
	}
	return fmt.Errorf("%w: unknown command %q for %s", ErrUsage, args[0], cmd.CommandPath())
}

// group is a command that only holds subcommands.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.ArbitraryArgs, RunE: usageError}
	cmd.AddCommand(subs...)
	return cmd
}

// usageArgs makes a positional-argument check's error a usage error.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return fmt.Errorf("%w: %w", ErrUsage, err)
		}
		return nil
	}
}

var noArgs = usageArgs(cobra.NoArgs)

func (c CLI) runCommand(stdio IO) *cobra.Command {
	var cfg Config
	cmd := &cobra.Command{
		Use:   "run",
		Short: "intake API, worker and poller in one process",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runParts(cmd.Context(), cfg, cmd.Flags(), All, c.Sandbox, stdio)
		},
	}
	cfg.Register(cmd.Flags(), All)
	return cmd
}

func runParts(ctx context.Context, cfg Config, fs *pflag.FlagSet, parts Parts, sandbox OpenSandbox, stdio IO) (err error) {
	if parts.Intake && cfg.HTTP != "" {
		// Before anything starts: an exposed API without tokens is a
		// configuration error, not something to find out later.
		if err := cfg.Access.checkListen(cfg.HTTP); err != nil {
			return err
		}
	}
	var lock *DataLock
	if parts.Poller {
		// One instance per data directory, decided before anything
		// starts: the poller's status store is under --data, and so is
		// the embedded JetStream of run (which has a poller); a second
		// one on the same files would corrupt them, and its stop would
		// remove the first one's nats.url and api.url.
		if lock, err = LockData(cfg.Data, time.Now()); err != nil {
			return err
		}
		defer lock.Release()
	}
	log := logger(cfg, stdio.Err)
	log.Info("salyq starting", append([]any{"parts", parts.String()}, configAttrs(fs, cfg)...)...)
	defer func() {
		if err != nil {
			log.Error("salyq stopped", "parts", parts.String(), "err", err)
			return
		}
		log.Info("salyq stopped", "parts", parts.String())
	}()
	allInOne := parts == All
	if err := ApplyMemoryLimit(cfg, allInOne && cfg.NATS == "", log); err != nil {
		return err
	}
	if !allInOne && (parts.Worker || parts.Poller) && cfg.Gateway == "" {
		return fmt.Errorf("%w: a service needs --gateway (the in-process sandbox is for `salyq run`)", ErrConfig)
	}
	// Said before connecting: without a sandbox linked in there are no
	// test keys or gateway to fall back on.
	if sandbox == nil && (parts.Worker || parts.Poller) && cfg.Gateway == "" {
		return fmt.Errorf("%w: --gateway is required (this binary has no in-process sandbox)", ErrConfig)
	}
	if sandbox == nil && cfg.Keys == "" {
		return fmt.Errorf("%w: --keys is required (this binary has no in-process sandbox)", ErrConfig)
	}
	rt, err := Open(ctx, cfg, log, allInOne)
	if err != nil {
		return err
	}
	defer rt.Close()
	rt.OpenSandbox = sandbox
	rt.Lock = lock
	if parts.Worker || parts.Poller {
		if err := rt.OpenGateway(ctx); err != nil {
			return err
		}
		if rt.Sandbox != nil {
			rt.Sandbox.Describe(stdio.Err)
		}
	} else if err := rt.OpenKeys(); err != nil {
		return err
	}
	return Serve(ctx, rt, parts)
}

// example indents command lines for a command's help.
func example(lines ...string) string { return "  " + strings.Join(lines, "\n  ") }
