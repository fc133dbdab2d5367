package sonosim_test

import (
	"crypto/x509"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/sonosim"
)

func TestConfigRefusals(t *testing.T) {
	k := mustKeys(t)
	for name, mutate := range map[string]func(*sonosim.Config){
		"no gateway key": func(c *sonosim.Config) { c.Gateway = nil },
		"no trust":       func(c *sonosim.Config) { c.Trust = nil },
		"rate above 1":   func(c *sonosim.Config) { c.Faults.HTTP503Rate = 1.5 },
		"negative rate":  func(c *sonosim.Config) { c.Faults.DropAfterAcceptRate = -0.1 },
		"break too long": func(c *sonosim.Config) { c.Faults.Maintenance = sonosim.Maintenance{Every: 1, For: 1} },
		"negative step":  func(c *sonosim.Config) { c.StatusStep = -1 },
	} {
		cfg := sonosim.Config{Gateway: k.gateway.Signer(), Trust: []*x509.Certificate{k.pki.Root()}}
		mutate(&cfg)
		if _, err := sonosim.New(cfg); !errors.Is(err, sonosim.ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, s := range []string{"", "posted=x", "bogus=1", "posted=-1", "posted=0"} {
		if _, err := sonosim.ParseWeights(s); !errors.Is(err, sonosim.ErrConfig) {
			t.Errorf("ParseWeights(%q): %v", s, err)
		}
	}
	if w, err := sonosim.ParseWeights("rejected=3, posted=1"); err != nil || w != (sonosim.Weights{Posted: 1, Rejected: 3}) {
		t.Errorf("ParseWeights: %+v %v", w, err)
	}
}

// TestMaintenanceFlag: --maintenance reads salyq's --breaks grammar
// (package breaks), and a bad schedule is a configuration error naming
// the flag.
func TestMaintenanceFlag(t *testing.T) {
	for _, v := range []string{"21:00", "25:00-06:00", "06:00-06:00", "a-b"} {
		fs := flag.NewFlagSet("sono-sim", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		sonosim.RegisterFlags(fs, &sonosim.Options{})
		if err := fs.Parse([]string{"--maintenance", v}); err == nil || !strings.Contains(err.Error(), "maintenance") {
			t.Errorf("--maintenance %q: %v", v, err)
		}
	}
	var o sonosim.Options
	fs := flag.NewFlagSet("sono-sim", flag.ContinueOnError)
	sonosim.RegisterFlags(fs, &o)
	if err := fs.Parse([]string{"--maintenance", "21:00-06:00, sun"}); err != nil {
		t.Fatal(err)
	}
	if got := o.Config.Faults.Maintenance.Breaks.String(); got != "21:00-06:00, sun" {
		t.Errorf("breaks %q", got)
	}
}
