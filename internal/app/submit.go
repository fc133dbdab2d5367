package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/client"
	"github.com/salyq/salyq/pkg/statusfsm"
	"github.com/spf13/cobra"
)

// submitInFlight is how many forms `salyq submit` has in flight at once:
// enough to hide the round trips, few enough not to crowd out the
// instance's other clients.
const submitInFlight = 8

// apiTokenEnv holds the API token of `salyq submit`: a secret, so a
// variable and not a flag (flags show in ps).
const apiTokenEnv = "SALYQ_API_TOKEN"

// submitOptions are the settings of `salyq submit`.
type submitOptions struct {
	cfg          Config
	url          string
	tokenFile    string
	signLocally  bool
	wait         bool
	timeout      time.Duration
	pollInterval time.Duration
	batchName    string
	batch        intake.Batch
}

func (c CLI) submitCommand(stdio IO) *cobra.Command {
	var o submitOptions
	cmd := &cobra.Command{
		Use:   "submit PATH...",
		Short: "submit forms (files, directories of *.xml, - for stdin) to the running salyq",
		Long: `Submit forms — files, directories (recursive *.xml) or - for stdin — through
the intake API of the running salyq: the one whose api.url is under --data,
or --url. It signs them with its keystore, so submit needs no keys. The API
token, when the API needs one, comes from ` + apiTokenEnv + ` or --token-file.

With --sign-locally, submit signs the forms itself (--keys, or the sandbox's
keys under --data) and publishes them straight to NATS, for scripts without
a running instance.

The run's forms are one batch: its id is printed first ("batch    ID"),
--batch-name labels it; ` + "`salyq report batch ID`" + ` reports on it.

With --wait, wait until every form reaches a final status and print a
summary; the exit code is 3 when a form was refused, rejected by SONO or
dead-lettered, and 1 when --timeout passed first.`,
		Example: example("salyq submit --wait forms/", "salyq submit form.xml --wait --timeout 10m",
			"salyq submit --url https://salyq.example.kz:8480 --token-file erp.token forms/"),
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, paths []string) error {
			batch := intake.Batch{ID: intake.NewBatchID(time.Now(), rand.Read), Name: o.batchName}
			if err := streams.CheckHeader(batch.Name); err != nil {
				return fmt.Errorf("%w: --batch-name: %w", ErrUsage, err)
			}
			// First, so that a run cut short still names its batch.
			fmt.Fprintln(stdio.Out, strings.TrimSpace("batch    "+batch.ID+" "+batch.Name))
			if o.signLocally {
				return submitLocally(cmd.Context(), o.cfg, batch, paths, o.wait, o.timeout, stdio, c.Sandbox)
			}
			o.batch = batch
			return submitToInstance(cmd.Context(), o, paths, stdio)
		},
	}
	o.cfg.registerConnect(cmd.Flags())
	o.cfg.registerKeys(cmd.Flags())
	fs := cmd.Flags()
	fs.StringVar(&o.url, "url", "", "base URL of the salyq intake API; empty: the running instance's, from api.url under --data")
	fs.StringVar(&o.tokenFile, "token-file", "", "file holding the API token (or "+apiTokenEnv+")")
	fs.BoolVar(&o.signLocally, "sign-locally", false, "sign with --keys (or the sandbox's keys) and publish straight to NATS, without a running instance")
	fs.BoolVar(&o.wait, "wait", false, "wait until every submitted form reaches a final status")
	fs.DurationVar(&o.timeout, "timeout", 0, "with --wait: give up waiting after this long (0: no limit)")
	fs.StringVar(&o.batchName, "batch-name", "", "label of the batch the run's forms make (shown on the dashboard and in reports)")
	fs.DurationVar(&o.pollInterval, "poll", 500*time.Millisecond, "with --wait: first interval between status polls of a form (grows to 10 times it)")
	return cmd
}

// instanceURL is the base URL of the intake API to submit to: --url, or
// the one the running instance wrote under --data.
func instanceURL(url, data string) (string, error) {
	if url != "" {
		return url, nil
	}
	b, err := os.ReadFile(filepath.Join(data, apiURLFile))
	// An api.url without the lock's holder is left from a salyq that
	// died: its API is gone.
	if err != nil || strings.TrimSpace(string(b)) == "" || !dataInUse(data) {
		return "", fmt.Errorf("%w found under %s (start `salyq run`, pass --url, or use --sign-locally)", ErrNoInstance, data)
	}
	return strings.TrimSpace(string(b)), nil
}

// apiToken is the token of SALYQ_API_TOKEN or of --token-file.
func apiToken(file string) (string, error) {
	if file == "" {
		return os.Getenv(apiTokenEnv), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%w: --token-file: %w", ErrConfig, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// formFile is one form to submit: its path and, for stdin, its body.
type formFile struct {
	path string
	data []byte
	err  error
}

// listForms expands paths into form files: files as given, directories
// recursively (*.xml), "-" read from stdin.
func listForms(paths []string, stdin io.Reader, maxSize int64) []formFile {
	var out []formFile
	for _, p := range paths {
		if p == "-" {
			data, err := io.ReadAll(io.LimitReader(stdin, maxSize+1))
			if err == nil && int64(len(data)) > maxSize {
				err = &intake.TooLargeError{Size: int64(len(data)), Max: maxSize}
			}
			out = append(out, formFile{path: "-", data: data, err: err})
			continue
		}
		filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				out = append(out, formFile{path: path, err: err})
			case !d.IsDir() && (path == p || strings.EqualFold(filepath.Ext(path), ".xml")):
				out = append(out, formFile{path: path})
			}
			return nil
		})
	}
	return out
}

// readFormFile reads a form file, refused by its size before it is read.
func readFormFile(path string, maxSize int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > maxSize {
		return nil, &intake.TooLargeError{Size: st.Size(), Max: maxSize}
	}
	// The server has the last word on the size: read a little more.
	return io.ReadAll(io.LimitReader(f, maxSize+1))
}

// submitToInstance submits the forms through the running instance's
// intake API, a few at once, and with --wait follows them to a final
// status.
func submitToInstance(ctx context.Context, o submitOptions, paths []string, stdio IO) error {
	base, err := instanceURL(o.url, o.cfg.Data)
	if err != nil {
		return err
	}
	token, err := apiToken(o.tokenFile)
	if err != nil {
		return err
	}
	poll := max(o.pollInterval, 10*time.Millisecond)
	cl, err := client.New(base, client.WithToken(token), client.WithPolling(client.Backoff{Min: poll, Max: 10 * poll, Factor: 1.5}))
	if err != nil {
		return fmt.Errorf("%w: --url: %w", ErrUsage, err)
	}
	files := listForms(paths, stdio.In, o.cfg.maxFormSize())

	var (
		mu       sync.Mutex
		ids      []string
		refused  int
		failures []error
	)
	work := make(chan formFile)
	var wg sync.WaitGroup
	for range min(submitInFlight, max(len(files), 1)) {
		wg.Go(func() {
			for f := range work {
				line, id, err := submitOne(ctx, cl, client.Batch(o.batch), f, o.cfg.maxFormSize())
				mu.Lock()
				fmt.Fprint(stdio.Out, line)
				switch {
				case id != "":
					ids = append(ids, id)
				case err != nil:
					failures = append(failures, err)
				default:
					refused++
				}
				mu.Unlock()
			}
		})
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		work <- f
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(failures) > 0 {
		// Each is on its own line above; the first says enough here.
		return fmt.Errorf("%d of %d forms not submitted to %s: %w", len(failures), len(files), base, failures[0])
	}
	failed := refused
	if o.wait && len(ids) > 0 {
		views, err := follow(ctx, cl, ids, o.timeout, stdio)
		if err != nil {
			return err
		}
		failed += printFinal(stdio, views)
	}
	if failed > 0 {
		return fmt.Errorf("%w: %d of %d", ErrFailed, failed, len(files))
	}
	return nil
}

// submitOne submits one form file and returns its output line and id.
// A form the API refuses (a check, its size, its taxpayer's access) is a
// refusal line and no error; an error is a failure to reach the API, after
// retrying what the API says may be retried.
func submitOne(ctx context.Context, cl *client.Client, b client.Batch, f formFile, maxSize int64) (line, id string, err error) {
	data, err := f.data, f.err
	if err == nil && data == nil {
		data, err = readFormFile(f.path, maxSize)
	}
	if err != nil {
		ref := intake.RefusalOf(err)
		if ref.Field != "" {
			return fmt.Sprintf("refused  %s: %s: %s\n", f.path, ref.Field, ref.Reason), "", nil
		}
		return fmt.Sprintf("refused  %s: %s\n", f.path, ref.Error), "", nil
	}
	var sub client.Submission
	delay := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		sub, err = cl.SubmitIn(ctx, b, data)
		if err == nil || !errors.Is(err, client.ErrUnavailable) || attempt == 5 || ctx.Err() != nil {
			break
		}
		var ae *client.APIError
		if errors.As(err, &ae) && ae.RetryAfter > 0 {
			delay = ae.RetryAfter
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
		delay *= 2
	}
	var ae *client.APIError
	switch {
	case err == nil:
		note := ""
		if sub.Duplicate {
			note = " (already submitted)"
		}
		return fmt.Sprintf("queued   %s %s%s\n", sub.ID, f.path, note), sub.ID, nil
	case errors.As(err, &ae) && refusedByAPI(err):
		reason := ae.Reason
		if reason == "" {
			reason = ae.Message
		}
		if ae.Field != "" {
			return fmt.Sprintf("refused  %s: %s: %s\n", f.path, ae.Field, reason), "", nil
		}
		return fmt.Sprintf("refused  %s: %s\n", f.path, reason), "", nil
	}
	return fmt.Sprintf("error    %s: %v\n", f.path, err), "", fmt.Errorf("%s: %w", f.path, err)
}

// refusedByAPI reports whether the API refused the form itself, for good:
// a check, its size, or its taxpayer not allowed to this token.
func refusedByAPI(err error) bool {
	return errors.Is(err, client.ErrRefused) || errors.Is(err, client.ErrTooLarge) ||
		errors.Is(err, client.ErrBadRequest) || errors.Is(err, client.ErrForbidden)
}

// follow polls the submissions through the API until each is final, or
// timeout (0: none) passes: ErrTimeout saying how many are not final.
func follow(ctx context.Context, cl *client.Client, ids []string, timeout time.Duration, stdio IO) ([]board.View, error) {
	fctx, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		fctx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()
	progress := isTerminal(stdio.Out)
	var views []board.View
	var errs []error
	for u := range cl.Follow(fctx, ids) {
		switch {
		case u.Err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", u.ID, u.Err))
		case u.Status.Terminal:
			views = append(views, viewOf(u.Status))
		default:
			continue
		}
		if progress {
			fmt.Fprintf(stdio.Out, "\r%d of %d final", len(views), len(ids))
		}
	}
	if progress {
		fmt.Fprintln(stdio.Out)
	}
	if len(views)+len(errs) < len(ids) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %d of %d forms not final after %s (salyq status shows where they are)", ErrTimeout, len(ids)-len(views)-len(errs), len(ids), timeout)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("following the submissions: %w", errors.Join(errs...))
	}
	return views, nil
}

// viewOf is the board's view of a status the API answered, for the
// summary and the count of failed forms (printFinal).
func viewOf(s client.Status) board.View {
	return board.View{
		ID: s.ID, Taxpayer: s.Taxpayer, Form: s.Form, Period: s.Period, Kind: s.Kind,
		Status: statusfsm.Status(s.Status), Terminal: s.Terminal, Outcome: s.Outcome,
		RequestID: s.RequestID, Reason: s.Reason, Flagged: s.Flagged, Updated: s.Updated,
	}
}
