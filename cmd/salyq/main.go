// Command salyq delivers tax forms (ФНО) to SONO through the e-government
// gateway: `salyq run` runs the whole pipeline, `salyq demo` shows it on
// embedded defaults, and the other subcommands administer it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/salyq/salyq/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := app.Main(ctx, os.Args[1:], app.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	if err != nil {
		if !errors.Is(err, app.ErrUsage) || len(os.Args) > 1 {
			fmt.Fprintln(os.Stderr, "salyq:", err)
		}
		os.Exit(1)
	}
}
