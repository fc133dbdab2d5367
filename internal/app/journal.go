package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/spf13/cobra"
)

// journalCommand is `salyq journal`: the exchange journal, read only.
func journalCommand(stdio IO) *cobra.Command {
	var (
		showCfg, exportCfg Config
		asJSON, withXML    bool
		taxpayer           string
		from, to           string
	)
	show := &cobra.Command{
		Use:   "show ID",
		Short: "a submission's exchanges with the gateway: time (+05:00), service, messageId, outcome, latency",
		Example: example("salyq journal show ID", "salyq journal show ID --xml",
			"salyq journal show ID --json"),
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := OpenAdmin(cmd.Context(), showCfg, logger(showCfg, stdio.Err))
			if err != nil {
				return err
			}
			defer rt.Close()
			tp := taxpayer
			if tp == "" {
				v, err := rt.Board.Get(cmd.Context(), args[0])
				if err != nil {
					return fmt.Errorf("%w: %s: %w (give --taxpayer to read the journal without the board)", ErrNotFound, args[0], err)
				}
				tp = v.Taxpayer
			}
			recs, err := journal.NewReader(rt.JS).BySubmission(cmd.Context(), tp, args[0])
			if errors.Is(err, journal.ErrNotFound) {
				return fmt.Errorf("%w: %w", ErrNotFound, err)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeList(stdio.Out, recs)
			}
			return printExchanges(stdio.Out, recs, withXML)
		},
	}
	showCfg.registerConnect(show.Flags())
	show.Flags().BoolVar(&asJSON, "json", false, "print the records as JSON, request and answer XML included")
	show.Flags().BoolVar(&withXML, "xml", false, "print each request and answer XML")
	show.Flags().StringVar(&taxpayer, "taxpayer", "", "the submission's taxpayer (IIN/BIN); empty: read from the board")

	export := &cobra.Command{
		Use:   "export --from T --to T DIR",
		Short: "write the exchanges of a time range as XML files with an index.csv, for an audit or a dispute",
		Long: `Write every exchange whose request left in [--from, --to) into DIR: each
request and answer as a file, byte for byte as recorded (the sender password
redacted), and index.csv listing time (+05:00), submission id, taxpayer,
messageId, requestId, service, outcome, class, code, reason, HTTP status,
latency and the file names. Times are RFC 3339 or a date (YYYY-MM-DD,
midnight in Astana time).`,
		Example: example("salyq journal export --from 2026-03-01 --to 2026-04-01 audit-march/",
			"salyq journal export --from 2026-03-01T09:00:00+05:00 --to 2026-03-01T18:00:00+05:00 dispute/"),
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			start, end, err := parseRange(from, to)
			if err != nil {
				return err
			}
			rt, err := OpenAdmin(cmd.Context(), exportCfg, logger(exportCfg, stdio.Err))
			if err != nil {
				return err
			}
			defer rt.Close()
			return exportJournal(cmd.Context(), journal.NewReader(rt.JS), start, end, args[0], stdio.Out)
		},
	}
	exportCfg.registerConnect(export.Flags())
	export.Flags().StringVar(&from, "from", "", "start of the range, inclusive: RFC 3339 or YYYY-MM-DD (Astana time)")
	export.Flags().StringVar(&to, "to", "", "end of the range, exclusive: RFC 3339 or YYYY-MM-DD (Astana time)")
	return group("journal", "the exchange journal: every request to the gateway and its answer", show, export)
}

// exportJournal writes the exchanges of [from, to) into dir.
func exportJournal(ctx context.Context, r *journal.Reader, from, to time.Time, dir string, out io.Writer) error {
	recs, err := r.Range(ctx, from, to)
	if err != nil {
		return err
	}
	if err := journal.Export(dir, recs); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d exchanges from %s to %s written to %s\n", len(recs), humanTime(from), humanTime(to), dir)
	return nil
}

// parseRange reads --from and --to; both are required.
func parseRange(from, to string) (time.Time, time.Time, error) {
	if from == "" || to == "" {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: --from and --to are required", ErrUsage)
	}
	start, err := parseWhen(from)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: --from: %w", ErrUsage, err)
	}
	end, err := parseWhen(to)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: --to: %w", ErrUsage, err)
	}
	if !start.Before(end) {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: --from %s is not before --to %s", ErrUsage, from, to)
	}
	return start, end, nil
}

// parseWhen reads an RFC 3339 time or a date, midnight in Astana time.
func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation(time.DateOnly, s, envelope.Almaty())
}

// printExchanges prints one line per exchange and, with withXML, its
// request and answer.
func printExchanges(w io.Writer, recs []journal.Record, withXML bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSERVICE\tMESSAGE ID\tOUTCOME\tHTTP\tLATENCY")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.At.In(envelope.Almaty()).Format("2006-01-02T15:04:05.000Z07:00"),
			r.Service, r.MessageID, outcomeText(r), httpText(r.HTTPStatus), r.Latency.Round(time.Millisecond))
		if withXML && !r.Delay() {
			tw.Flush()
			fmt.Fprintf(w, "--- request\n%s\n", r.Request)
			if r.Answered() {
				fmt.Fprintf(w, "--- answer\n%s\n", r.Answer)
			} else {
				fmt.Fprintln(w, "--- no answer")
			}
		}
	}
	return tw.Flush()
}

// outcomeText is the outcome with its code and reason.
func outcomeText(r journal.Record) string {
	s := r.Outcome
	if r.Code != "" {
		s += " " + r.Code
	}
	if r.Reason != "" && r.Reason != r.Outcome {
		s += ": " + r.Reason
	}
	return s
}

func httpText(status int) string {
	if status == 0 {
		return "-"
	}
	return fmt.Sprint(status)
}
