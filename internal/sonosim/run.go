package sonosim

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Run is the sono-sim program: it opens (or creates) the PKI, prints where
// its keys are, and serves until ctx is cancelled, then shuts down
// gracefully.
func Run(ctx context.Context, o Options, out, logs io.Writer) error {
	pki, err := OpenPKI(o.PKIDir, time.Now())
	if err != nil {
		return err
	}
	pki.Describe(out)
	for _, c := range o.Config.Trust {
		fmt.Fprintf(out, "  also trusted (--trust):   %s\n", c.Subject)
	}
	for _, c := range o.Config.CRLs {
		fmt.Fprintf(out, "  revocation list (--crl):  %s\n", c)
	}
	if o.Config.Seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		o.Config.Seed = binary.LittleEndian.Uint64(b[:])
	}
	pki.Apply(&o.Config)
	o.Config.Logger = slog.New(slog.NewTextHandler(logs, nil))
	srv, err := New(o.Config)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "listening on http://%s/ (seed %d; stats at /_sim/stats)\n", ln.Addr(), o.Config.Seed)
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
