package app

import (
	"fmt"
	"os"
	"time"

	"github.com/salyq/salyq/pkg/certcheck"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/spf13/cobra"
)

func keysCommand(stdio IO) *cobra.Command {
	var (
		cfg Config
		at  string
	)
	inspect := &cobra.Command{
		Use:   "inspect FILE.p12",
		Short: "what a key container holds, and whether it can sign now",
		Long: `Inspect a key container: subject, IIN/BIN, role, SIGN/AUTH, algorithm,
validity and, with --trust and --crl, chain and revocation. The password
comes from SALYQ_KEYS_PASSWORD or the passwords file beside the container.
Exits non-zero when the key cannot sign now (expired, not yet valid, wrong
usage, refused by the chain or revocation check).`,
		Example: example("salyq keys inspect key.p12 --trust nca/certs --crl nca/crl/nca.crl"),
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			when := time.Now()
			if at != "" {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return fmt.Errorf("%w: --at: %w", ErrUsage, err)
				}
				when = t
			}
			k, err := ncakey.LoadBeside(args[0], os.Getenv(ncakey.PasswordEnv))
			if err != nil {
				return err
			}
			rt := &Runtime{Cfg: cfg, Clock: time.Now, Log: logger(cfg, stdio.Err)}
			if err := rt.OpenChecker(); err != nil {
				return err
			}
			rep := certcheck.Describe(k, rt.Checker, when.In(envelope.Almaty()))
			rep.WriteText(stdio.Out)
			return rep.Err
		},
	}
	cfg.registerLog(inspect.Flags())
	cfg.registerChecks(inspect.Flags())
	inspect.Flags().StringVar(&at, "at", "", "check at this time (RFC 3339; default now)")
	return group("keys", "key containers", inspect)
}
