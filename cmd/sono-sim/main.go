// Command sono-sim is the sandbox gateway: a local SONO behind a ShEP
// SyncChannel v10 endpoint, with a test PKI and fault injection. See
// package internal/sonosim.
package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

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
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "sono-sim:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o sonosim.Options) error {
	pki, err := sonosim.OpenPKI(o.PKIDir, time.Now())
	if err != nil {
		return err
	}
	pki.Describe(os.Stdout)
	if o.Config.Seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		o.Config.Seed = binary.LittleEndian.Uint64(b[:])
	}
	pki.Apply(&o.Config)
	o.Config.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	srv, err := sonosim.New(o.Config)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	fmt.Printf("listening on http://%s/ (seed %d; stats at /_sim/stats)\n", ln.Addr(), o.Config.Seed)
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
