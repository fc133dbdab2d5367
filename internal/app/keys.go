package app

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/salyq/salyq/pkg/certcheck"
	"github.com/salyq/salyq/pkg/ncakey"
)

func cmdKeys(ctx context.Context, args []string, stdio IO) error {
	if len(args) < 1 || args[0] != "inspect" {
		return fmt.Errorf("%w: salyq keys inspect [--trust CA --crl SOURCE] FILE.p12", ErrUsage)
	}
	var cfg Config
	fs := newFlags("keys inspect", stdio, &cfg)
	at := fs.String("at", "", "check at this time (RFC 3339; default now)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: salyq keys inspect FILE.p12 (password from SALYQ_KEYS_PASSWORD or the passwords file beside it)", ErrUsage)
	}
	when := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return fmt.Errorf("%w: --at: %w", ErrUsage, err)
		}
		when = t
	}
	k, err := ncakey.LoadBeside(fs.Arg(0), os.Getenv(ncakey.PasswordEnv))
	if err != nil {
		return err
	}
	rt := &Runtime{Cfg: cfg, Clock: time.Now, Log: logger(cfg, stdio.Err)}
	if err := rt.OpenChecker(); err != nil {
		return err
	}
	rep := certcheck.Describe(k, rt.Checker, when)
	rep.WriteText(stdio.Out)
	return rep.Err
}
