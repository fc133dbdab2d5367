package app

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/salyq/salyq/pkg/ncakey"
)

func cmdKeys(ctx context.Context, args []string, stdio IO) error {
	if len(args) < 2 || args[0] != "inspect" {
		return fmt.Errorf("%w: salyq keys inspect FILE.p12 (password from SALYQ_KEYS_PASSWORD or the passwords file beside it)", ErrUsage)
	}
	k, err := ncakey.LoadBeside(args[1], os.Getenv(ncakey.PasswordEnv))
	if err != nil {
		return err
	}
	id := k.Identity()
	c := k.Certificate()
	now := time.Now()
	validity := "valid now"
	if err := k.CheckValidAt(now); err != nil {
		validity = err.Error()
	}
	fmt.Fprintf(stdio.Out, "subject:    %s\n", c.Subject)
	fmt.Fprintf(stdio.Out, "issuer:     %s\n", c.Issuer)
	fmt.Fprintf(stdio.Out, "serial:     %x\n", c.SerialNumber)
	fmt.Fprintf(stdio.Out, "IIN:        %s\n", id.IIN)
	if id.BIN != "" {
		fmt.Fprintf(stdio.Out, "BIN:        %s\n", id.BIN)
	}
	fmt.Fprintf(stdio.Out, "role:       %s\n", id.Role)
	fmt.Fprintf(stdio.Out, "usage:      %s\n", id.Usage)
	fmt.Fprintf(stdio.Out, "algorithm:  %s\n", k.Signer().Algorithm().Name)
	fmt.Fprintf(stdio.Out, "validity:   %s .. %s (%s)\n", c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly), validity)
	if id.Test {
		fmt.Fprintln(stdio.Out, "note:       NCA test identifier: usable only with --test-identities")
	}
	return nil
}
