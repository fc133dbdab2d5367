package app

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/salyq/salyq/internal/auth"
)

const tokensUsage = `salyq tokens add NAME --taxpayers IIN,...|all   create a token; printed once
salyq tokens list                               names, scopes, created, revoked
salyq tokens revoke NAME                        refuse the token (the running API re-reads the file)
Flags: --api-tokens FILE (env SALYQ_API_TOKENS)`

// cmdTokens manages the API tokens file. It writes the file only; a
// running API picks the change up on its next request.
func cmdTokens(_ context.Context, args []string, stdio IO) error {
	if len(args) == 0 {
		return fmt.Errorf("%w:\n%s", ErrUsage, tokensUsage)
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("salyq tokens "+sub, flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	file := fs.String("api-tokens", env("SALYQ_API_TOKENS", ""), "API tokens file (env SALYQ_API_TOKENS)")
	taxpayers := fs.String("taxpayers", "", `add: IIN/BIN the token may submit and read for, comma-separated, or "all"`)
	// NAME may come before the flags, as the usage shows it.
	var name string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	if err := parse(fs, rest); err != nil {
		return err
	}
	if name == "" && fs.NArg() > 0 {
		// Flags before NAME: parse what follows it too.
		name = fs.Arg(0)
		if err := parse(fs, fs.Args()[1:]); err != nil {
			return err
		}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected %q\n%s", ErrUsage, fs.Arg(0), tokensUsage)
	}
	if *file == "" {
		return fmt.Errorf("%w: salyq tokens needs --api-tokens FILE or SALYQ_API_TOKENS", ErrUsage)
	}
	now := time.Now()
	switch sub {
	case "add":
		if name == "" || *taxpayers == "" {
			return fmt.Errorf("%w: salyq tokens add NAME --taxpayers IIN,...|all", ErrUsage)
		}
		tok, err := auth.Add(*file, name, *taxpayers, now, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdio.Err, "token %s created; it is shown only now, the file keeps its hash:\n", name)
		fmt.Fprintln(stdio.Out, tok)
		return nil
	case "list":
		entries, err := auth.ReadFile(*file)
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
	case "revoke":
		if name == "" {
			return fmt.Errorf("%w: salyq tokens revoke NAME", ErrUsage)
		}
		if err := auth.Revoke(*file, name, now); err != nil {
			return err
		}
		fmt.Fprintf(stdio.Err, "token %s revoked\n", name)
		return nil
	}
	return fmt.Errorf("%w: unknown tokens command %q\n%s", ErrUsage, sub, tokensUsage)
}
