package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// IO is where a command reads and writes.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

const usage = `salyq delivers tax forms (ФНО) to SONO through the e-government gateway.

Usage:
  salyq run                       intake API, worker and poller in one process
  salyq submit [--wait] PATH...   submit forms (files, directories, - for stdin)
  salyq status [ID] [--json]      the state of one submission, or of all
  salyq dlq list [--json]         dead letters
  salyq dlq replay ID|--all       send dead letters again once the cause is fixed
  salyq demo [--forms N]          everything embedded: sample forms to final statuses
  salyq keys inspect FILE.p12     what a key container holds
  salyq tokens add|list|revoke    API tokens of client systems (--api-tokens FILE)

Without --nats, run and demo start an embedded JetStream server under --data
(the other commands find it there); without --gateway they start the sandbox
gateway in-process with its test keys. Flags of every command: salyq CMD -h.
`

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
	if len(args) == 0 {
		fmt.Fprint(stdio.Err, usage)
		return ErrUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(ctx, rest, stdio, All, c.Sandbox)
	case "submit":
		return cmdSubmit(ctx, rest, stdio, c.Sandbox)
	case "status":
		return cmdStatus(ctx, rest, stdio)
	case "dlq":
		return cmdDLQ(ctx, rest, stdio)
	case "demo":
		return cmdDemo(ctx, rest, stdio, c.Sandbox)
	case "keys":
		return cmdKeys(ctx, rest, stdio)
	case "tokens":
		return cmdTokens(ctx, rest, stdio)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdio.Out, usage)
		return nil
	}
	fmt.Fprint(stdio.Err, usage)
	return fmt.Errorf("%w: unknown command %q", ErrUsage, cmd)
}

// newFlags makes a flag set with the shared configuration registered.
func newFlags(name string, stdio IO, cfg *Config) *flag.FlagSet {
	fs := flag.NewFlagSet("salyq "+name, flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	cfg.Register(fs)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	return nil
}

// flagSet reports whether the command line gave flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func cmdRun(ctx context.Context, args []string, stdio IO, parts Parts, sandbox OpenSandbox) (err error) {
	var cfg Config
	fs := newFlags("run", stdio, &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	if !flagSet(fs, "http") {
		cfg.HTTP = parts.defaultHTTP(cfg.HTTP)
		fs.Set("http", cfg.HTTP)
	}
	if err := checkLog(cfg); err != nil {
		return err
	}
	if parts.Intake && cfg.HTTP != "" {
		// Before anything starts: an exposed API without tokens is a
		// configuration error, not something to find out later.
		if err := cfg.Access.checkListen(cfg.HTTP); err != nil {
			return err
		}
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
