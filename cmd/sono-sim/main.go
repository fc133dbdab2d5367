// Command sono-sim is the sandbox gateway: a local SONO behind a ShEP
// SyncChannel v10 endpoint, with a test PKI and fault injection. See
// package internal/sonosim.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/salyq/salyq/internal/sonosim"
)

const header = `sono-sim: a sandbox of the e-government gateway (ShEP SyncChannel v10 with
WS-Security) with SONO behind it, to test tax form delivery without the VPN. It serves
SONO_FNO_SEND and SONO_FNO_GET_STATUS on every path (POST text/xml), GET /_sim/stats
and POST /_sim/reset, is as strict as the real service and injects failures on demand.
Usage: sono-sim [flags]
`

func main() {
	fs := flag.NewFlagSet("sono-sim", flag.ExitOnError)
	var o sonosim.Options
	sonosim.RegisterFlags(fs, &o)
	fs.Usage = func() { fmt.Fprint(fs.Output(), header); fs.PrintDefaults() }
	_ = fs.Parse(os.Args[1:]) // ExitOnError: a bad flag exits with usage
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := sonosim.Run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sono-sim:", err)
		os.Exit(1)
	}
}
