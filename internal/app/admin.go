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
	"github.com/salyq/salyq/pkg/envelope"
)

// ErrFailed means some forms were refused or ended in the dead letters.
var ErrFailed = errors.New("some forms failed")

func cmdSubmit(ctx context.Context, args []string, stdio IO, sandbox OpenSandbox) error {
	var cfg Config
	fs := newFlags("submit", stdio, &cfg)
	wait := fs.Bool("wait", false, "wait until every submitted form reaches a final status")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: salyq submit [--wait] PATH...", ErrUsage)
	}
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
	err = in.SubmitPaths(ctx, fs.Args(), stdio.In, func(r intake.FileResult) {
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
	if *wait && len(ids) > 0 {
		views, err := waitFinal(ctx, rt.Board, ids, isTerminal(stdio.Out), stdio)
		if err != nil {
			return err
		}
		printSummary(stdio, views, 0)
		for _, v := range views {
			if v.Status == "failed-delivery" {
				refused++
			}
		}
	}
	if refused > 0 {
		return fmt.Errorf("%w: %d", ErrFailed, refused)
	}
	return nil
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

func cmdStatus(ctx context.Context, args []string, stdio IO) error {
	var cfg Config
	fs := newFlags("status", stdio, &cfg)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	rt, err := OpenAdmin(ctx, cfg, logger(cfg, stdio.Err))
	if err != nil {
		return err
	}
	defer rt.Close()
	if fs.NArg() == 1 {
		id := fs.Arg(0)
		v, err := rt.Board.Get(ctx, id)
		if err != nil {
			return err
		}
		h, err := rt.Board.History(ctx, id)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdio.Out).Encode(intake.Status{View: v, History: h})
		}
		fmt.Fprintf(stdio.Out, "%s  %s %s %s %s\nstatus: %s", v.ID, v.Taxpayer, v.Form, v.Period, v.Kind, v.Status)
		if v.Outcome != "" {
			fmt.Fprintf(stdio.Out, " (%s)", v.Outcome)
		}
		fmt.Fprintf(stdio.Out, "\nrequest: %s\n", v.RequestID)
		for _, e := range h {
			flag := ""
			if e.Flagged {
				flag = "  [flagged]"
			}
			fmt.Fprintf(stdio.Out, "  %s  %s %s%s\n", humanTime(e.At), e.To, e.Message, flag)
		}
		return nil
	}
	views, err := rt.Board.All(ctx)
	if err != nil {
		return err
	}
	sort.Slice(views, func(i, j int) bool { return views[i].Updated.After(views[j].Updated) })
	if *asJSON {
		return writeList(stdio.Out, views)
	}
	tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTAXPAYER\tFORM\tPERIOD\tSTATUS\tUPDATED")
	for _, v := range views {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Taxpayer, v.Form, v.Period, v.Status, humanTime(v.Updated))
	}
	return tw.Flush()
}

func cmdDLQ(ctx context.Context, args []string, stdio IO) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "replay") {
		return fmt.Errorf("%w: salyq dlq list|replay", ErrUsage)
	}
	var cfg Config
	fs := newFlags("dlq "+args[0], stdio, &cfg)
	asJSON := fs.Bool("json", false, "print JSON (list)")
	all := fs.Bool("all", false, "replay every dead letter")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	rt, err := OpenAdmin(ctx, cfg, logger(cfg, stdio.Err))
	if err != nil {
		return err
	}
	defer rt.Close()
	letters, err := delivery.DeadLetters(ctx, rt.JS)
	if err != nil {
		return err
	}
	if args[0] == "list" {
		if *asJSON {
			return writeList(stdio.Out, letters)
		}
		tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tATTEMPTS\tAT\tREASON")
		for _, l := range letters {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", l.ID, l.Attempts, humanTime(l.At), l.Reason)
		}
		return tw.Flush()
	}
	if !*all && fs.NArg() != 1 {
		return fmt.Errorf("%w: salyq dlq replay ID|--all", ErrUsage)
	}
	n, err := delivery.Replay(ctx, rt.JS, rt.Streams, rt.Board, func(id string) bool { return *all || id == fs.Arg(0) }, rt.Clock)
	fmt.Fprintf(stdio.Out, "replayed %d\n", n)
	if err == nil && !*all && n == 0 {
		return fmt.Errorf("%w: no dead letter of %s", ErrNotFound, fs.Arg(0))
	}
	return err
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
