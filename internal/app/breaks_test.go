package app

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/pkg/envelope"
)

// TestBreaksSetting: --breaks (SALYQ_BREAKS) is parsed when the command
// line is read, the command line winning over the variable; a value the
// grammar refuses is a usage error naming the flag or the variable,
// before anything starts.
func TestBreaksSetting(t *testing.T) {
	t.Setenv("SALYQ_BREAKS", "sat,sun")
	cfg, err := configOf(All, "--breaks", "21:00-06:00, 2026-12-16")
	if err != nil {
		t.Fatal(err)
	}
	for at, want := range map[string]bool{"2026-12-07 21:30": true, "2026-12-08 12:00": false, "2026-12-16 12:00": true, "2026-12-12 12:00": false} {
		ti, err := time.ParseInLocation("2006-01-02 15:04", at, envelope.Almaty())
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Breaks.In(ti); got != want {
			t.Errorf("%s: in a break %v, want %v", at, got, want)
		}
	}
	if cfg, err := configOf(All); err != nil || !cfg.Breaks.In(time.Date(2026, 12, 12, 12, 0, 0, 0, envelope.Almaty())) {
		t.Errorf("from SALYQ_BREAKS: %v, %q", err, cfg.Breaks.String())
	}

	for _, tc := range []struct {
		env, value string
		args       []string
		want       []string
	}{
		{env: "SALYQ_BREAKS", value: "25:00-06:00", want: []string{"SALYQ_BREAKS", "--breaks", "25:00"}},
		{args: []string{"--breaks", "nightly"}, want: []string{"--breaks", "nightly"}},
		{args: []string{"--breaks", "00:00-24:00"}, want: []string{"--breaks", "whole week"}},
	} {
		t.Setenv("SALYQ_BREAKS", tc.value)
		_, err := configOf(All, tc.args...)
		var out, errs bytes.Buffer
		runErr := Main(context.Background(), append([]string{"run", "--data", t.TempDir()}, tc.args...), IO{Out: &out, Err: &errs})
		for _, e := range []error{err, runErr} {
			if !errors.Is(e, ErrUsage) || ExitCode(e) != ExitUsage {
				t.Errorf("%s=%q %v: %v, want a usage error", tc.env, tc.value, tc.args, e)
				continue
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Error(), w) {
					t.Errorf("%s=%q %v: %v does not say %q", tc.env, tc.value, tc.args, e, w)
				}
			}
		}
		if strings.Contains(errs.String(), "starting") {
			t.Errorf("%s=%q %v: started: %s", tc.env, tc.value, tc.args, errs.String())
		}
	}
}
