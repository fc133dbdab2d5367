package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func (c CLI) formsCommand(stdio IO) *cobra.Command {
	var (
		cfg       Config
		taxpayers []string
	)
	sample := &cobra.Command{
		Use:   "sample N DIR",
		Short: "write N valid, unsigned 910.00 forms into DIR",
		Long: `Write N valid 910.00 forms into DIR, unsigned (the running salyq signs them
with its keystore): for the taxpayers given by --taxpayers, else for those
with a signing key in --keys, else for the sandbox's test taxpayers under
--data (made there now if missing, as salyq run would, so that a later run
on that --data has the same keys). The files sort in order and say what
they hold: 0001-910.00-IIN-YEAR-HALF.xml.`,
		Example: example("salyq forms sample 20 forms/", "salyq forms sample --taxpayers 820909361064 5 forms/"),
		Args:    usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.Atoi(args[0])
			if err != nil || n < 1 {
				return fmt.Errorf("%w: N %q: want a positive number of forms", ErrUsage, args[0])
			}
			who, err := c.sampleTaxpayers(cfg, taxpayers, stdio)
			if err != nil {
				return err
			}
			if err := writeSamples(who, n, args[1]); err != nil {
				return err
			}
			fmt.Fprintf(stdio.Out, "wrote %d forms of %d taxpayers (%s) to %s\n", n, len(who), strings.Join(who, ", "), args[1])
			return nil
		},
	}
	shared(sample.Flags(), func(fs *pflag.FlagSet) {
		fs.StringVar(&cfg.Data, "data", "./salyq-data", "data directory: embedded JetStream, poller store, sandbox keys")
		fs.StringVar(&cfg.Keys, "keys", "", "keystore directory of taxpayer .p12 files (passwords: a passwords file beside them, or SALYQ_KEYS_PASSWORD); empty with the sandbox: its sample keys")
		fs.BoolVar(&cfg.TestIdentities, "test-identities", false, "accept NCA's test IIN/BIN (the NCA test environment only)")
		cfg.registerLog(fs)
	})
	sample.Flags().StringSliceVar(&taxpayers, "taxpayers", nil, "IIN/BIN of the taxpayers to write forms for, comma-separated; empty: those of the keystore")
	return group("forms", "tax forms: sample ones to try salyq with", sample)
}

// sampleTaxpayers are the taxpayers of the sample forms: those given, or
// those with a key that can sign now in the keystore (--keys, or the
// sandbox's under --data).
func (c CLI) sampleTaxpayers(cfg Config, given []string, stdio IO) ([]string, error) {
	if len(given) > 0 {
		for _, id := range given {
			if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
				return nil, fmt.Errorf("%w: --taxpayers %q: want 12-digit IIN/BIN", ErrUsage, id)
			}
		}
		return unique(given), nil
	}
	cfg.KeysPassword = os.Getenv(ncakey.PasswordEnv)
	// The sandbox's settings as run's defaults: only its PKI is used.
	cfg.SimStep, cfg.SimSeed = 500*time.Millisecond, 1
	rt := &Runtime{Cfg: cfg, Log: logger(cfg, stdio.Err), Clock: time.Now, OpenSandbox: c.Sandbox}
	if err := rt.OpenKeys(); err != nil {
		return nil, err
	}
	var out []string
	for _, e := range rt.Keys.Entries() {
		id := e.Key.Identity()
		if _, err := rt.Keys.ForTaxpayer(id.TaxpayerID(), rt.Clock()); err == nil && id.Role != ncakey.RoleInfoSystem {
			out = append(out, id.TaxpayerID())
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: keystore %s has no taxpayer key that can sign now", ErrNoKeys, rt.Keys.Dir())
	}
	return unique(out), nil
}

// writeSamples writes n sample forms of taxpayers into dir.
func writeSamples(taxpayers []string, n int, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := range n {
		path := filepath.Join(dir, SampleFormName(taxpayers, i, n))
		if err := os.WriteFile(path, SampleForm(taxpayers, i), 0o644); err != nil {
			return err
		}
	}
	return nil
}
