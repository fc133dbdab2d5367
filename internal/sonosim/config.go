package sonosim

import (
	"context"
	"crypto/x509"
	"log/slog"
	"time"

	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/pkg/certcheck"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultMaxBodyBytes = 10 << 20
	DefaultStatusStep   = 2 * time.Second
	DefaultSuccessCode  = "SCSS001"
)

// Config configures a Server. The zero value of every field but Gateway
// and Trust is usable.
type Config struct {
	// Gateway signs every answer (WS-Security): the sandbox gateway's own
	// information-system key. Required.
	Gateway xmldsig.Signer
	// Trust are the CA certificates of every certificate the sandbox
	// checks, the transport's and the taxpayer's: the self-signed ones
	// are the trust anchors, the others may complete a path. Required.
	// Paths are checked by pkg/certcheck, so GOST chains verify too.
	Trust []*x509.Certificate
	// CRLs are the revocation lists the sandbox applies (none: revocation
	// is not checked); each must be signed by a CA of Trust and applies to
	// the certificates that CA issued. A configured CRL that cannot be
	// read or is stale refuses the certificates it covers.
	CRLs []certcheck.Source
	// Templates are the form templates; nil means envelope.LoadTemplates.
	Templates *envelope.Templates
	// AllowTestIdentities accepts NCA's test IIN/BIN (wrong check digits).
	AllowTestIdentities bool
	// SuccessCode is responseInfo/status/code of business answers.
	SuccessCode string
	// MaxBodyBytes bounds a request body; larger ones get HTTP 413.
	MaxBodyBytes int64
	// StatusStep is how long a filing stays in each status.
	StatusStep time.Duration
	// HandoffDelay is how long after filing a filing becomes visible to a
	// status request by messageId.
	HandoffDelay time.Duration
	// Weights choose the scenario of each filing; zero means
	// DefaultWeights.
	Weights Weights
	// Seed makes scenarios, injected faults and request ids reproducible.
	Seed uint64
	// Faults configures fault injection; the zero value injects none.
	Faults Faults
	// JournalDir, when set, receives every request and answer as files.
	JournalDir string
	// Clock is the time source of statuses, maintenance and throttling;
	// nil means time.Now.
	Clock func() time.Time
	// NewID returns fresh UUIDs (request ids, message ids); nil means a
	// source seeded from Seed.
	NewID func() string
	// Sleep waits for injected latency; nil means a timer that stops
	// early when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger receives one line per exchange; nil discards.
	Logger *slog.Logger
}

// Faults configures fault injection. Rates are probabilities in [0, 1]
// drawn per request.
type Faults struct {
	// HTTP503Rate answers a plain HTTP 503 without a SOAP body.
	HTTP503Rate float64
	// TransientRate answers a SOAP fault envelope.FaultTechnical.
	TransientRate float64
	// ThrottleRPS refuses requests beyond this many per second (all
	// senders together) with HTTP 429; 0 disables.
	ThrottleRPS int
	// Latency delays every answer.
	Latency time.Duration
	// TailRate is the probability of TailLatency more delay.
	TailRate    float64
	TailLatency time.Duration
	// DropAfterAcceptRate records an accepted filing, then closes the
	// connection without answering.
	DropAfterAcceptRate float64
	// Maintenance are the technological breaks.
	Maintenance Maintenance
}

// Maintenance are technological breaks, answered with HTTP 503 and
// FaultMaintenance.
type Maintenance struct {
	// Breaks in Astana time in the grammar of package breaks, the same
	// as salyq's --breaks: daily windows such as 21:00-06:00 (seed 004),
	// weekdays, dates.
	Breaks breaks.Schedule
	// Every and For are the scaled-down form for tests: the last For of
	// every Every, counted from the server's start (or last reset), is a
	// break. Zero Every disables.
	Every, For time.Duration
}

func (c *Config) validate() error {
	if c.Gateway == nil || c.Gateway.Certificate() == nil {
		return configErr("Gateway", "a gateway signer with a certificate is required")
	}
	if len(c.Trust) == 0 {
		return configErr("Trust", "trust anchors are required")
	}
	f := c.Faults
	for _, r := range []struct {
		name string
		v    float64
	}{
		{"Faults.HTTP503Rate", f.HTTP503Rate}, {"Faults.TransientRate", f.TransientRate},
		{"Faults.TailRate", f.TailRate}, {"Faults.DropAfterAcceptRate", f.DropAfterAcceptRate},
	} {
		if !(r.v >= 0 && r.v <= 1) {
			return configErr(r.name, "%v is not a rate in [0, 1]", r.v)
		}
	}
	switch {
	case f.ThrottleRPS < 0:
		return configErr("Faults.ThrottleRPS", "negative")
	case f.Latency < 0 || f.TailLatency < 0:
		return configErr("Faults.Latency", "negative")
	case c.MaxBodyBytes < 0:
		return configErr("MaxBodyBytes", "negative")
	case c.StatusStep < 0 || c.HandoffDelay < 0:
		return configErr("StatusStep", "negative duration")
	case f.Maintenance.Every < 0 || f.Maintenance.For < 0 || (f.Maintenance.Every > 0 && f.Maintenance.For >= f.Maintenance.Every):
		return configErr("Faults.Maintenance", "want 0 <= For < Every")
	}
	return c.Weights.validate()
}

func (c *Config) applyDefaults() {
	if c.SuccessCode == "" {
		c.SuccessCode = DefaultSuccessCode
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.StatusStep == 0 {
		c.StatusStep = DefaultStatusStep
	}
	if c.Weights.total() == 0 {
		c.Weights = DefaultWeights
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleepCtx
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
