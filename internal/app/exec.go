package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Exec is the body of every salyq binary's main: it runs run with the
// command line and the standard streams until SIGINT or SIGTERM, and
// returns the exit code, printing the error under name. A bare command
// that only printed its usage exits 1 without repeating it.
func Exec(name string, run func(ctx context.Context, args []string, stdio IO) error) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	err := run(ctx, args, IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	if err == nil {
		return 0
	}
	if !errors.Is(err, ErrUsage) || len(args) > 0 {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
	}
	return 1
}

// Service returns the run function of a service binary (cmd/producer,
// cmd/worker, cmd/poller): the given parts against an existing NATS server
// and gateway, until ctx is cancelled. It has no sandbox: a service
// binary links none, and refuses to start without --gateway and --keys.
func Service(parts Parts) func(ctx context.Context, args []string, stdio IO) error {
	return func(ctx context.Context, args []string, stdio IO) error {
		return cmdRun(ctx, args, stdio, parts, nil)
	}
}
