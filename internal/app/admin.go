package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/report"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
	"github.com/spf13/cobra"
)

// submitLocally is `salyq submit --sign-locally`: the forms signed here,
// with --keys or the sandbox's keys under --data, and published straight
// to NATS.
func submitLocally(ctx context.Context, cfg Config, batch intake.Batch, paths []string, wait bool, timeout time.Duration, stdio IO, sandbox OpenSandbox) error {
	rt, err := OpenAdmin(ctx, cfg, logger(cfg, stdio.Err))
	if err != nil {
		return err
	}
	defer rt.Close()
	// Without --keys and --gateway, the keys of the sandbox under --data.
	rt.OpenSandbox = sandbox
	if err := rt.OpenKeys(); err != nil {
		return err
	}
	in, err := rt.NewIntake()
	if err != nil {
		return err
	}
	var ids []string
	refused := 0
	err = in.SubmitPathsIn(ctx, batch, paths, stdio.In, func(r intake.FileResult) {
		if r.Err != nil {
			refused++
			ref := intake.RefusalOf(r.Err)
			if ref.Field != "" {
				fmt.Fprintf(stdio.Out, "refused  %s: %s: %s\n", r.Path, ref.Field, ref.Reason)
			} else {
				fmt.Fprintf(stdio.Out, "refused  %s: %s\n", r.Path, ref.Error)
			}
			return
		}
		note := ""
		if r.Result.Duplicate {
			note = " (already submitted)"
		}
		fmt.Fprintf(stdio.Out, "queued   %s %s%s\n", r.Result.ID, r.Path, note)
		ids = append(ids, r.Result.ID)
	})
	if err != nil {
		return err
	}
	failed := refused
	if wait && len(ids) > 0 {
		wctx := ctx
		if timeout > 0 {
			var cancel context.CancelFunc
			wctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		views, err := waitFinal(wctx, rt.Board, ids, isTerminal(stdio.Out), stdio)
		if err != nil {
			if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("%w: %d of %d forms not final after %s (salyq status shows where they are)", ErrTimeout, len(ids)-len(views), len(ids), timeout)
			}
			return err
		}
		failed += printFinal(stdio, views)
	}
	if failed > 0 {
		return fmt.Errorf("%w: %d of %d", ErrFailed, failed, len(ids)+refused)
	}
	return nil
}

// printFinal prints the summary of forms that reached their final status
// and returns how many of them the user must act on: rejected by SONO or
// dead-lettered.
func printFinal(stdio IO, views []board.View) int {
	printSummary(stdio, views, 0)
	table := statusfsm.DefaultTable()
	failed := 0
	for _, v := range views {
		if v.Status == statusfsm.StateFailedDelivery || table.Info(v.Status).Phase == statusfsm.PhaseRejected {
			failed++
		}
	}
	return failed
}

// isTerminal reports whether w is a terminal, where progress is shown.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// waitFinal polls the board until every id is final.
func waitFinal(ctx context.Context, b *board.Board, ids []string, progress bool, stdio IO) ([]board.View, error) {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		var views []board.View
		for _, id := range ids {
			if v, err := b.Get(ctx, id); err == nil && v.Terminal {
				views = append(views, v)
			}
		}
		if progress {
			fmt.Fprintf(stdio.Out, "\r%d of %d final", len(views), len(ids))
		}
		if len(views) == len(ids) {
			if progress {
				fmt.Fprintln(stdio.Out)
			}
			return views, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// printSummary prints outcome counts, rejection reasons and dead letters.
func printSummary(stdio IO, views []board.View, elapsed time.Duration) {
	outcomes := map[string]int{}
	reasons := map[string]int{}
	dead := map[string]int{}
	for _, v := range views {
		label := string(v.Status)
		if v.Outcome != "" {
			label += " — " + v.Outcome
		}
		outcomes[label]++
		switch {
		case v.Status == "failed-delivery":
			dead[v.Reason]++
		case strings.Contains(v.Outcome, "rejected") && v.Reason != "":
			reasons[v.Reason]++
		}
	}
	tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTCOME\tFORMS")
	for _, k := range sortedKeys(outcomes) {
		fmt.Fprintf(tw, "%s\t%d\n", k, outcomes[k])
	}
	if len(reasons) > 0 {
		fmt.Fprintln(tw, "\nREJECTION REASON\tFORMS")
		for _, k := range sortedKeys(reasons) {
			fmt.Fprintf(tw, "%s\t%d\n", k, reasons[k])
		}
	}
	fmt.Fprintln(tw, "\nDEAD LETTERS\tFORMS")
	if len(dead) == 0 {
		fmt.Fprintln(tw, "none\t0")
	}
	for _, k := range sortedKeys(dead) {
		fmt.Fprintf(tw, "%s\t%d\n", k, dead[k])
	}
	if elapsed > 0 {
		fmt.Fprintf(tw, "\nELAPSED\t%s\n", elapsed.Round(10*time.Millisecond))
		fmt.Fprintf(tw, "FORMS/S\t%.1f\n", float64(len(views))/elapsed.Seconds())
	}
	tw.Flush()
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func statusCommand(stdio IO) *cobra.Command {
	var (
		cfg    Config
		asJSON bool
		batch  string
	)
	cmd := &cobra.Command{
		Use:     "status [ID]",
		Short:   "the state and history of one submission, or the state of all (of a batch, with --batch)",
		Example: example("salyq status", "salyq status ID --json", "salyq status --batch BATCH"),
		Args:    usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := OpenAdmin(cmd.Context(), cfg, logger(cfg, stdio.Err))
			if err != nil {
				return err
			}
			defer rt.Close()
			if len(args) == 1 {
				return showStatus(cmd.Context(), rt.Board, args[0], asJSON, stdio.Out)
			}
			return listStatus(cmd.Context(), rt.Board, batch, asJSON, stdio.Out)
		},
	}
	cfg.registerConnect(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&batch, "batch", "", "list only the forms of this batch (the id salyq submit prints)")
	return cmd
}

func showStatus(ctx context.Context, b *board.Board, id string, asJSON bool, w io.Writer) error {
	v, err := b.Get(ctx, id)
	if err != nil {
		return err
	}
	h, err := b.History(ctx, id)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(w).Encode(intake.Status{View: v, History: h})
	}
	fmt.Fprintf(w, "%s  %s %s %s %s\nstatus: %s", v.ID, v.Taxpayer, v.Form, v.Period, v.Kind, v.Status)
	if v.Outcome != "" {
		fmt.Fprintf(w, " (%s)", v.Outcome)
	}
	fmt.Fprintf(w, "\nrequest: %s\n", v.RequestID)
	if d := v.Delayed; d != nil {
		fmt.Fprintf(w, "delayed: not accepted by SONO since %s (%s): %s\n", humanTime(d.Since), d.Cause, d.Reason)
	}
	for _, e := range h {
		if e.Notice != nil {
			fmt.Fprintf(w, "  %s  notice %s: %s\n", humanTime(e.At), e.Notice.Number, e.Notice.Type)
			continue
		}
		if e.Kind == board.EventDelayed && e.Delay != nil {
			fmt.Fprintf(w, "  %s  delayed since %s (%s)\n", humanTime(e.At), humanTime(e.Delay.Since), e.Delay.Cause)
			continue
		}
		flag := ""
		if e.Flagged {
			flag = "  [flagged]"
		}
		fmt.Fprintf(w, "  %s  %s %s%s\n", humanTime(e.At), e.To, e.Message, flag)
	}
	// The notices come from the record, not the events: the stream's age
	// limit may have dropped an old event, the record keeps them all.
	if len(v.Notices) > 0 {
		fmt.Fprintf(w, "notices from the tax office:\n")
		for _, n := range v.Notices {
			fmt.Fprintf(w, "  %s  %s  %s\n", n.Number, n.Type, humanTime(n.At))
			if n.Text != "" {
				fmt.Fprintf(w, "    %s\n", n.Text)
			}
		}
	}
	return nil
}

func listStatus(ctx context.Context, b *board.Board, batch string, asJSON bool, w io.Writer) error {
	var views []board.View
	var err error
	if batch != "" {
		if err := streams.CheckID(batch); err != nil {
			return fmt.Errorf("%w: --batch: %w", ErrUsage, err)
		}
		views, err = report.Views(ctx, b, batch, nil)
	} else {
		views, err = b.All(ctx)
	}
	if err != nil {
		return err
	}
	sort.Slice(views, func(i, j int) bool { return views[i].Updated.After(views[j].Updated) })
	if asJSON {
		return writeList(w, views)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTAXPAYER\tFORM\tPERIOD\tSTATUS\tUPDATED\tDELAYED")
	for _, v := range views {
		delayed := ""
		if d := v.Delayed; d != nil {
			delayed = "since " + humanTime(d.Since) + " (" + d.Cause + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Taxpayer, v.Form, v.Period, v.Status, humanTime(v.Updated), delayed)
	}
	return tw.Flush()
}

func dlqCommand(stdio IO) *cobra.Command {
	var (
		listCfg, replayCfg Config
		asJSON, all        bool
	)
	list := &cobra.Command{
		Use:   "list",
		Short: "dead letters: forms delivery gave up on, with the reason",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rt, err := OpenAdmin(cmd.Context(), listCfg, logger(listCfg, stdio.Err))
			if err != nil {
				return err
			}
			defer rt.Close()
			letters, err := delivery.DeadLetters(cmd.Context(), rt.JS)
			if err != nil {
				return err
			}
			if asJSON {
				return writeList(stdio.Out, letters)
			}
			tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tATTEMPTS\tAT\tREASON")
			for _, l := range letters {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", l.ID, l.Attempts, humanTime(l.At), l.Reason)
			}
			return tw.Flush()
		},
	}
	listCfg.registerConnect(list.Flags())
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	replay := &cobra.Command{
		Use:     "replay ID|--all",
		Short:   "send dead letters again once the cause is fixed",
		Example: example("salyq dlq replay ID", "salyq dlq replay --all"),
		Args:    usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Checked here, not in Args: --all may come from its variable,
			// which is read after the arguments are checked.
			if all == (len(args) == 1) {
				return fmt.Errorf("%w: give one ID or --all", ErrUsage)
			}
			rt, err := OpenAdmin(cmd.Context(), replayCfg, logger(replayCfg, stdio.Err))
			if err != nil {
				return err
			}
			defer rt.Close()
			n, err := delivery.Replay(cmd.Context(), rt.JS, rt.Streams, rt.Board, func(id string) bool { return all || id == args[0] }, rt.Clock)
			fmt.Fprintf(stdio.Out, "replayed %d\n", n)
			if err == nil && !all && n == 0 {
				return fmt.Errorf("%w: no dead letter of %s", ErrNotFound, args[0])
			}
			return err
		},
	}
	replayCfg.registerConnect(replay.Flags())
	replay.Flags().BoolVar(&all, "all", false, "replay every dead letter")
	return group("dlq", "dead letters: list them, replay them", list, replay)
}

// humanTime is how people read a time: in Kazakhstan's zone (+05:00),
// whatever zone it was stored or sent in; JSON output keeps RFC 3339.
func humanTime(t time.Time) string { return t.In(envelope.Almaty()).Format(time.RFC3339) }

// writeList prints a JSON array, [] when there is nothing, never null.
func writeList[T any](w io.Writer, list []T) error {
	if list == nil {
		list = []T{}
	}
	return json.NewEncoder(w).Encode(list)
}
