package sonosim

import (
	"flag"
	"fmt"
	"time"

	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/pkg/certcheck"
)

// Options are the command line of cmd/sono-sim: where to listen, where
// the PKI lives, and the Config.
type Options struct {
	Addr   string
	PKIDir string
	Config Config
}

// RegisterFlags defines every flag of cmd/sono-sim on fs, writing into o.
// Defaults are those of a realistic gateway, not of unit tests: a 2s
// status step and a 30s hand-off delay.
func RegisterFlags(fs *flag.FlagSet, o *Options) {
	c := &o.Config
	f := &c.Faults
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8089", "listen `address` (host:port)")
	fs.StringVar(&o.PKIDir, "pki", "sono-sim-pki", "test PKI `dir`: created with sample keys on first run, loaded afterwards")
	fs.Func("trust", "trust anchors and CA certificates (`FILE|DIR`, PEM or DER; repeatable) besides the sandbox's own test root, e.g. NCA's test roots in testdata/nca/certs", func(v string) error {
		certs, err := certcheck.LoadCertificates(v)
		c.Trust = append(c.Trust, certs...)
		return err
	})
	fs.Func("crl", "CRL `FILE|URL` (repeatable) signed by a trusted CA: the certificates it revokes are refused; a stale or unreadable CRL refuses the certificates it covers", func(v string) error {
		src, err := certcheck.ParseSource(v, nil)
		switch {
		case err != nil:
			return err
		case src == nil:
			return fmt.Errorf("%w: --crl %q names no CRL", ErrConfig, v)
		}
		c.CRLs = append(c.CRLs, src)
		return nil
	})
	fs.BoolVar(&c.AllowTestIdentities, "allow-test-identities", false, "accept NCA's test IIN/BIN (123456789011, 123456789021), whose check digits are wrong")
	fs.StringVar(&c.SuccessCode, "success-code", DefaultSuccessCode, "responseInfo/status/code of business answers")
	fs.Int64Var(&c.MaxBodyBytes, "max-body", DefaultMaxBodyBytes, "largest request body in `bytes`; larger ones get HTTP 413 and fault TOO_LARGE")
	fs.DurationVar(&c.StatusStep, "status-step", DefaultStatusStep, "time a filing spends in each status before the next")
	fs.DurationVar(&c.HandoffDelay, "handoff-delay", 30*time.Second, "time after filing before a status request by messageId finds the form (NOT_FOUND before; the real gateway takes up to a minute)")
	c.Weights = DefaultWeights
	fs.Func("weights", "relative frequency of filing outcomes (default "+DefaultWeights.String()+")", func(v string) error {
		w, err := ParseWeights(v)
		c.Weights = w
		return err
	})
	fs.Uint64Var(&c.Seed, "seed", 0, "seed of scenarios, injected faults and request ids; 0 picks a random seed and prints it")
	fs.StringVar(&c.JournalDir, "journal", "", "`dir` to write every request and answer into (sender passwords masked); empty disables")
	fs.Float64Var(&f.HTTP503Rate, "rate-503", 0, "probability of a plain HTTP 503 without a SOAP body")
	fs.Float64Var(&f.TransientRate, "rate-fault", 0, "probability of a SOAP fault 99999 (technical error, retry later)")
	fs.IntVar(&f.ThrottleRPS, "throttle", 0, "answer HTTP 429 + fault THROTTLED beyond this many requests per second, all senders together; 0 disables")
	fs.DurationVar(&f.Latency, "latency", 0, "delay added to every answer")
	fs.Float64Var(&f.TailRate, "tail-rate", 0, "probability of the long-tail delay -tail-latency on top of -latency")
	fs.DurationVar(&f.TailLatency, "tail-latency", 0, "long-tail delay")
	fs.Float64Var(&f.DropAfterAcceptRate, "drop-after-accept", 0, "probability of recording an accepted filing and closing the connection without answering")
	fs.Func("maintenance", "technological breaks in Astana time, as salyq's --breaks: comma-separated `HH:MM-HH:MM` windows, weekdays, dates (e.g. 21:00-06:00,sun); answered HTTP 503 + fault MAINTENANCE with Retry-After", func(v string) error {
		s, err := breaks.Parse(v)
		if err != nil {
			return configErr("maintenance", "%v", err)
		}
		f.Maintenance.Breaks = s
		return nil
	})
	fs.DurationVar(&f.Maintenance.Every, "maintenance-every", 0, "scaled-down breaks: the last -maintenance-for of every this period (from start) is a break; 0 disables")
	fs.DurationVar(&f.Maintenance.For, "maintenance-for", 0, "length of each scaled-down break")
}
