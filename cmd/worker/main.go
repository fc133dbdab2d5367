// Command worker is salyq's worker service, for deployments where the
// producer, worker and poller run as separate processes against a NATS
// JetStream cluster. It takes the same flags and SALYQ_* variables as
// `salyq run`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/salyq/salyq/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stdio := app.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
	if err := app.RunService(ctx, os.Args[1:], stdio, app.Parts{Worker: true}); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}
