package app

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/salyq/salyq/internal/auth"
	"github.com/spf13/cobra"
)

// tokensCommand manages the API tokens file. It writes the file only; a
// running API picks the change up on its next request.
func tokensCommand(stdio IO) *cobra.Command {
	var file, taxpayers string
	tokensFile := func(cmd *cobra.Command) {
		cmd.Flags().StringVar(&file, "api-tokens", "", "API tokens file")
		withEnv(cmd.Flags(), "api-tokens", "SALYQ_API_TOKENS")
	}
	needFile := func() error {
		if file == "" {
			return fmt.Errorf("%w: salyq tokens needs --api-tokens FILE or SALYQ_API_TOKENS", ErrUsage)
		}
		return nil
	}
	add := &cobra.Command{
		Use:     "add NAME --taxpayers IIN,...|all",
		Short:   "create a token; it is printed once",
		Example: example("salyq tokens add erp-1 --taxpayers 820909361064,140940016375 --api-tokens /etc/salyq/tokens"),
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := needFile(); err != nil {
				return err
			}
			if taxpayers == "" {
				return fmt.Errorf("%w: salyq tokens add NAME --taxpayers IIN,...|all", ErrUsage)
			}
			tok, err := auth.Add(file, args[0], taxpayers, time.Now(), nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdio.Err, "token %s created; it is shown only now, the file keeps its hash:\n", args[0])
			fmt.Fprintln(stdio.Out, tok)
			return nil
		},
	}
	tokensFile(add)
	add.Flags().StringVar(&taxpayers, "taxpayers", "", `IIN/BIN the token may submit and read for, comma-separated, or "all"`)
	list := &cobra.Command{
		Use:   "list",
		Short: "names, scopes, created, revoked",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := needFile(); err != nil {
				return err
			}
			entries, err := auth.ReadFile(file)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tTAXPAYERS\tCREATED\tREVOKED")
			for _, e := range entries {
				revoked := "-"
				if e.Revoked != nil {
					revoked = humanTime(*e.Revoked)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Name, e.Scope(), humanTime(e.Created), revoked)
			}
			return tw.Flush()
		},
	}
	tokensFile(list)
	revoke := &cobra.Command{
		Use:   "revoke NAME",
		Short: "refuse the token (the running API re-reads the file)",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := needFile(); err != nil {
				return err
			}
			if err := auth.Revoke(file, args[0], time.Now()); err != nil {
				return err
			}
			fmt.Fprintf(stdio.Err, "token %s revoked\n", args[0])
			return nil
		},
	}
	tokensFile(revoke)
	return group("tokens", "API tokens of client systems (--api-tokens FILE)", add, list, revoke)
}
