package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/salyq/salyq/internal/availability"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/report"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
	"github.com/spf13/cobra"
)

// availabilityLookback is how far before --from the report reads the
// journal: the last exchange before the period tells the state the
// period starts in (an outage under way at --from counts from --from).
const availabilityLookback = time.Hour

// reportCommand is `salyq report`: reports drawn from salyq's own
// records.
func reportCommand(stdio IO) *cobra.Command {
	var (
		cfg      Config
		from, to string
		asJSON   bool
	)
	avail := &cobra.Command{
		Use:   "availability --from T --to T",
		Short: "the gateway's availability index per endpoint and service, (T − R) / T × 100 %, from salyq's own exchanges",
		Long: `Reckon, from the exchange journal, how long each gateway service was
unavailable in [--from, --to): R runs from an exchange that found it
unavailable (no connection, no answer, HTTP 5xx, a technical fault,
maintenance) to the next exchange that found it available (any answer SONO
judged, refusals and throttling included). Per endpoint and service: T, R,
the index (T − R) / T × 100 % (unknown without an exchange in the period),
the number of exchanges and of failed ones, and the longest outage, in
Astana time. Times are RFC 3339 or a date (YYYY-MM-DD, midnight in Astana
time).`,
		Example: example("salyq report availability --from 2026-03-01 --to 2026-04-01",
			"salyq report availability --from 2026-03-02T09:00:00+05:00 --to 2026-03-02T18:00:00+05:00 --json"),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			start, end, err := parseRange(from, to)
			if err != nil {
				return err
			}
			rt, err := OpenAdmin(cmd.Context(), cfg, logger(cfg, stdio.Err))
			if err != nil {
				return err
			}
			defer rt.Close()
			res, err := availabilityReport(cmd.Context(), journal.NewReader(rt.JS), start, end)
			if err != nil {
				return err
			}
			if asJSON {
				return writeList(stdio.Out, res)
			}
			return printAvailability(stdio.Out, res, start, end)
		},
	}
	cfg.registerConnect(avail.Flags())
	avail.Flags().StringVar(&from, "from", "", "start of the period, inclusive: RFC 3339 or YYYY-MM-DD (Astana time)")
	avail.Flags().StringVar(&to, "to", "", "end of the period, exclusive: RFC 3339 or YYYY-MM-DD (Astana time)")
	avail.Flags().BoolVar(&asJSON, "json", false, "print JSON (durations in nanoseconds)")
	return group("report", "reports from salyq's own records: the gateway's availability, a batch's forms", avail, reportBatchCommand(stdio))
}

// reportBatchCommand is `salyq report batch ID`: the accountant's report
// of a batch.
func reportBatchCommand(stdio IO) *cobra.Command {
	var (
		cfg    Config
		format string
		out    string
	)
	cmd := &cobra.Command{
		Use:   "batch ID --format csv|xlsx|html [--out FILE]",
		Short: "the report of a batch: per form the taxpayer, form, period, kind, submitted, filed, SONO's registration number, final status (ru, kk), reason; totals per status",
		Long: `Report on the forms of a batch (the id salyq submit prints, or the
Salyq-Batch header of POST /v1/batches): one row per form — IIN/BIN and the
taxpayer's name from the form, form code, period, kind, when salyq took it
and when SONO did (Astana time, UTC+5), SONO's registration number, the
status in Russian and Kazakh, whether it is final, the reason — and the
totals per status.

csv: UTF-8 with a byte order mark (so that Excel reads the Cyrillic),
comma-separated, a header row, forms only. xlsx: a sheet of forms and one
of totals. html: one printable page. Without --out the report goes to
standard output.`,
		Example: example("salyq report batch b20260310-101500-3fa9c1d2 --format xlsx --out q1.xlsx",
			"salyq report batch b20260310-101500-3fa9c1d2 --format csv > q1.csv"),
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := report.CheckFormat(format); err != nil {
				return fmt.Errorf("%w: --format: %w", ErrUsage, err)
			}
			if err := streams.CheckID(args[0]); err != nil {
				return fmt.Errorf("%w: batch id: %w", ErrUsage, err)
			}
			rt, err := OpenAdmin(cmd.Context(), cfg, logger(cfg, stdio.Err))
			if err != nil {
				return err
			}
			defer rt.Close()
			views, err := report.Views(cmd.Context(), rt.Board, args[0], nil)
			if err != nil {
				return err
			}
			rep, err := report.Build(args[0], views, statusfsm.DefaultTable(), time.Now())
			if err != nil {
				return err
			}
			if out == "" {
				return report.Write(stdio.Out, format, rep)
			}
			return writeReportFile(out, format, rep)
		},
	}
	cfg.registerConnect(cmd.Flags())
	cmd.Flags().StringVar(&format, "format", "", "csv, xlsx or html")
	cmd.Flags().StringVar(&out, "out", "", "write the report to this file (default: standard output)")
	return cmd
}

// writeReportFile writes the report to a new file beside path, then
// renames it: a failed report leaves no half file under the name.
func writeReportFile(path, format string, rep report.Report) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".report-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := report.Write(f, format, rep); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// availabilityReport reads the journal and reckons the availability of
// [from, to), its times in Astana time.
func availabilityReport(ctx context.Context, r *journal.Reader, from, to time.Time) ([]availability.Result, error) {
	recs, err := r.Range(ctx, from.Add(-availabilityLookback), to)
	if err != nil {
		return nil, err
	}
	res := availability.Compute(availability.FromRecords(recs), from, to)
	astana := envelope.Almaty()
	for i := range res {
		res[i].From, res[i].To = res[i].From.In(astana), res[i].To.In(astana)
		for j := range res[i].Outages {
			o := &res[i].Outages[j]
			o.Start, o.End = o.Start.In(astana), o.End.In(astana)
		}
		if l := res[i].Longest; l != nil {
			l.Start, l.End = l.Start.In(astana), l.End.In(astana)
		}
	}
	return res, nil
}

// printAvailability prints one line per endpoint and service.
func printAvailability(w io.Writer, res []availability.Result, from, to time.Time) error {
	fmt.Fprintf(w, "availability from %s to %s (T = %s)\n", humanTime(from), humanTime(to), to.Sub(from))
	if len(res) == 0 {
		fmt.Fprintln(w, "no exchanges with the gateway in the journal: index unknown")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENDPOINT\tSERVICE\tT\tR\tINDEX\tEXCHANGES\tFAILED\tLONGEST OUTAGE")
	for _, r := range res {
		index := "unknown"
		if r.Index != nil {
			index = fmt.Sprintf("%.3f %%", *r.Index)
		}
		longest := "-"
		if l := r.Longest; l != nil {
			longest = fmt.Sprintf("%s – %s (%s)", humanTime(l.Start), humanTime(l.End), l.Duration().Round(time.Second))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", orDash(r.Endpoint), r.Service, r.T, r.R.Round(time.Millisecond),
			index, r.Exchanges, r.Failed, longest)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
