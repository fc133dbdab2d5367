package app

import (
	"fmt"
	"os"
	"time"

	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/breaks"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/httplimit"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/poller"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/statusfsm"
	"github.com/spf13/pflag"
)

// Config is the configuration shared by every salyq program.
type Config struct {
	NATS    string // NATS URL; empty: embedded server (run) or the one in Data
	Data    string // data directory: embedded JetStream, poller store, sandbox PKI
	Gateway string // gateway URL; empty: the in-process sandbox

	Keys           string // keystore directory of taxpayer keys
	KeysPassword   string // password of every container without a passwords-file entry
	TransportKey   string // the organisation's .p12 (WS-Security)
	TransportPass  string // its password
	SenderID       string
	SenderPassword string
	GatewayCert    string // PEM certificate(s) the gateway signs answers with
	Codes          string // JSON file of error code → class, merged over gateway.DefaultTable

	Trust      string // NCA CA certificates (file or directory): chain checks
	CRL        string // CRL source of the issuing CA: off, a path, a URL
	DeltaCRL   string // delta CRL source
	Revocation string // fail|warn when revocation status is unknown

	HTTP           string        // intake API and health probes listen address
	Sync           string        // JetStream sync: "always" or an interval
	DupWindow      time.Duration // JetStream duplicate window
	Replicas       int
	JournalMaxAge  time.Duration // how long the exchange journal keeps exchanges
	Retention      time.Duration // how long a finished submission's record stays on the board
	Reconfigure    bool          // let a service change an existing stream or bucket to its flags
	StartTimeout   time.Duration // how long a service waits for NATS and JetStream at start
	Concurrency    int
	MaxInFlight    int
	Rate           int           // gateway requests per second, all workers
	Grace          time.Duration // gateway hand-off grace before NOT_FOUND counts
	MaxElapsed     time.Duration // give up on transient failures after this
	Timeout        time.Duration // one gateway request
	PollerLease    time.Duration // how long the active poller's lease lasts unrenewed
	NoticeWatch    time.Duration // how long a final form is still asked about, for late notices
	NoticeEvery    time.Duration // how often a form under NoticeWatch is asked about
	TestIdentities bool          // accept NCA test IIN/BIN

	// Breaks are the gateway's planned breaks: nothing is sent or polled
	// through them.
	Breaks breaks.Schedule

	// Sandbox settings for the in-process gateway.
	SimStep time.Duration
	SimSeed uint64

	// MemoryLimit is the Go soft memory limit: "auto", 0 (none) or a size
	// such as 256MiB.
	MemoryLimit string

	Verbose   bool
	LogFormat string // text or json
	LogLevel  string // debug, info, warn, error

	// HTTPLimits bound every listener (--http-*); zero: the defaults.
	HTTPLimits httplimit.Limits
	// MaxFormSize is the largest form on every path; 0:
	// intake.DefaultMaxFormSize.
	MaxFormSize httplimit.Size

	// Access: API tokens and TLS, NATS credentials.
	Access Access
}

// registerHTTPLimits adds the --http-* flags of every listener.
func registerHTTPLimits(fs *pflag.FlagSet, l *httplimit.Limits) {
	d := httplimit.Defaults()
	fs.DurationVar(&l.ReadHeaderTimeout, "http-read-header-timeout", d.ReadHeaderTimeout, "HTTP: time to read a request's headers, and how long a new connection may stay silent")
	fs.DurationVar(&l.ReadTimeout, "http-read-timeout", d.ReadTimeout, "HTTP: time to read a whole request, body included")
	fs.DurationVar(&l.WriteTimeout, "http-write-timeout", d.WriteTimeout, "HTTP: time from a request's headers to the end of its answer")
	fs.DurationVar(&l.IdleTimeout, "http-idle-timeout", d.IdleTimeout, "HTTP: how long a keep-alive connection may wait for its next request")
	fs.IntVar(&l.MaxHeaderBytes, "http-max-header-bytes", d.MaxHeaderBytes, "HTTP: largest request line and headers")
	fs.IntVar(&l.MaxConcurrent, "http-max-concurrent", d.MaxConcurrent, "HTTP: requests served at once; more are answered 503 with Retry-After (0: no cap)")
	fs.Var(&l.MaxReadBytes, "http-max-read-bytes", "HTTP: request body bytes held at once across all requests, e.g. 16MiB; 0: 2 × --max-form-size")
}

// registerConnect adds the flags of every command that reaches NATS: where
// it is, how to log in, how to log.
func (c *Config) registerConnect(fs *pflag.FlagSet) {
	shared(fs, func(fs *pflag.FlagSet) {
		fs.StringVar(&c.NATS, "nats", "", "NATS URL(s); empty: the embedded JetStream server under --data")
		fs.StringVar(&c.Data, "data", "./salyq-data", "data directory: embedded JetStream, poller store, sandbox keys")
		c.registerLog(fs)
		c.Access.registerNATS(fs)
		c.KeysPassword = os.Getenv("SALYQ_KEYS_PASSWORD")
		c.TransportPass = os.Getenv("SALYQ_TRANSPORT_KEY_PASSWORD")
	})
}

// registerLog adds the flags of how a command logs.
func (c *Config) registerLog(fs *pflag.FlagSet) {
	shared(fs, func(fs *pflag.FlagSet) {
		fs.BoolVarP(&c.Verbose, "verbose", "v", false, "verbose logging: --log-level debug")
		fs.Var(newChoice(&c.LogFormat, LogText, LogText, LogJSON), "log-format", "log format")
		fs.Var(newChoice(&c.LogLevel, "info", "debug", "info", "warn", "error"), "log-level", "log level")
	})
}

// registerKeys adds the flags of the taxpayers' keystore and its checks.
func (c *Config) registerKeys(fs *pflag.FlagSet) {
	shared(fs, func(fs *pflag.FlagSet) {
		fs.StringVar(&c.Keys, "keys", "", "keystore directory of taxpayer .p12 files (passwords: a passwords file beside them, or SALYQ_KEYS_PASSWORD); empty with the sandbox: its sample keys")
		c.registerChecks(fs)
	})
}

// registerChecks adds the flags of the checks a key passes before it signs.
func (c *Config) registerChecks(fs *pflag.FlagSet) {
	shared(fs, func(fs *pflag.FlagSet) {
		fs.StringVar(&c.Trust, "trust", "", "NCA CA certificates, a file or directory of DER/PEM: keys must chain to them before they sign; empty: no chain check")
		fs.StringVar(&c.CRL, "crl", "off", "CRL of the issuing CA: off, a file path, or an http(s) URL")
		fs.StringVar(&c.DeltaCRL, "delta-crl", "off", "delta CRL: off, a file path, or an http(s) URL")
		fs.Var(newChoice(&c.Revocation, "fail", "fail", "warn"), "revocation", "when a key's revocation status cannot be determined: fail (refuse the key) or warn")
		fs.BoolVar(&c.TestIdentities, "test-identities", false, "accept NCA's test IIN/BIN (the NCA test environment only)")
	})
}

// Register adds the flags of a process running parts: connection, keys,
// gateway, JetStream, delivery and its listener.
func (c *Config) Register(fs *pflag.FlagSet, parts Parts) {
	shared(fs, func(fs *pflag.FlagSet) {
		c.registerConnect(fs)
		c.registerKeys(fs)
		fs.StringVar(&c.Gateway, "gateway", "", "gateway SyncChannel URL; empty: in-process sandbox with its test keys")
		fs.StringVar(&c.TransportKey, "transport-key", "", "the organisation's transport .p12 (WS-Security); password from SALYQ_TRANSPORT_KEY_PASSWORD or the keystore's passwords file")
		fs.StringVar(&c.SenderID, "sender-id", "salyq", "requestInfo/sender/senderId")
		fs.StringVar(&c.SenderPassword, "sender-password", "", "requestInfo/sender/password (prefer the variable: flags show in ps)")
		fs.StringVar(&c.GatewayCert, "gateway-cert", "", "PEM file of the certificate(s) the gateway signs answers with; answers not signed by one are treated as ambiguous")
		fs.StringVar(&c.Codes, "codes", "", `JSON file of gateway and SONO error codes and their classes, e.g. {"SRV_BUSY": "transient"}: added to the built-in table, replacing its entries; classes transient, throttled, maintenance, permanent, ambiguous`)
		http, variable := parts.defaultHTTP()
		fs.StringVar(&c.HTTP, "http", http, "listen address of the intake API (producer, run) and of /healthz, /readyz and /metrics; empty disables")
		withEnv(fs, "http", variable)
		registerHTTPLimits(fs, &c.HTTPLimits)
		c.MaxFormSize = intake.DefaultMaxFormSize
		fs.Var(&c.MaxFormSize, "max-form-size", "largest form accepted on every path, e.g. 4MiB; larger ones are refused with 413; must fit the NATS server's max_payload with 64KiB to spare")
		fs.Var(newChecked(&c.Sync, "always", "always|interval", func(v string) error { _, err := broker.ParseDurability(v); return err }), "sync", `embedded JetStream fsync: "always" (every write on disk before it is acknowledged) or an interval such as 1s`)
		fs.DurationVar(&c.DupWindow, "dup-window", streams.DefaultDuplicateWindow, "JetStream duplicate window of submissions; past it the board and the delivery journal still keep a form from being filed twice")
		fs.IntVar(&c.Replicas, "replicas", 1, "replicas of streams and buckets (3 on a cluster)")
		fs.DurationVar(&c.JournalMaxAge, "journal-max-age", streams.DefaultJournalMaxAge, "how long the exchange journal (SALYQ_JOURNAL) keeps every request to the gateway and its answer; default five years")
		fs.DurationVar(&c.Retention, "retention", board.DefaultRetention, "how long the record of a finished submission stays on the board (salyq_state) after its last change; its id stays in SALYQ_FILED for good, so the form is still refused as a duplicate; 0 keeps records for good")
		fs.BoolVar(&c.Reconfigure, "reconfigure", false, "services: change existing streams and buckets to --replicas, --dup-window, --journal-max-age; without it a difference is only logged, and nothing is ever lowered")
		fs.DurationVar(&c.StartTimeout, "start-timeout", DefaultStartTimeout, "services: how long to wait for NATS and JetStream at start before exiting with the last error")
		fs.IntVar(&c.Concurrency, "concurrency", 32, "submissions one worker process handles at once")
		fs.IntVar(&c.MaxInFlight, "max-in-flight", 64, "cap on unacknowledged submissions across all workers")
		fs.IntVar(&c.Rate, "rate", 0, "gateway requests per second across all workers (0: no cap)")
		fs.DurationVar(&c.Grace, "grace", 70*time.Second, "after a send whose answer was lost, how long a NOT_FOUND proves nothing (the gateway hands messages on within a minute)")
		fs.DurationVar(&c.MaxElapsed, "give-up-after", 72*time.Hour, "dead-letter a form whose transient failures last longer than this")
		fs.Var(&c.Breaks, "breaks", "planned breaks of the gateway in Astana time, comma-separated: daily windows (21:00-06:00), weekdays (sat, or sat 00:00-12:00), dates (2026-12-16, or 2026-12-31 18:00-24:00); nothing is sent or polled through them, and they do not count toward --give-up-after; empty: none")
		fs.DurationVar(&c.Timeout, "timeout", 60*time.Second, "one gateway request")
		fs.DurationVar(&c.NoticeWatch, "notice-watch", statusfsm.DefaultNoticeWatch, "pollers: after a form's final status, go on asking SONO this long for the notices the tax office issues later (a desk audit's findings); 0: stop at the final status")
		fs.DurationVar(&c.NoticeEvery, "notice-every", statusfsm.DefaultNoticeEvery, "pollers: how often a form under --notice-watch is asked about")
		fs.DurationVar(&c.PollerLease, "poller-lease", poller.DefaultActiveLease, "pollers: how long the active poller's lease lasts without renewal; a standby takes over from a poller that died within this plus a third of it")
		fs.DurationVar(&c.SimStep, "sandbox-step", 500*time.Millisecond, "in-process sandbox: time a filing spends in each status")
		fs.Uint64Var(&c.SimSeed, "sandbox-seed", 1, "in-process sandbox: seed of outcomes and faults")
		fs.StringVar(&c.MemoryLimit, "memory-limit", "auto", "Go soft memory limit such as 256MiB, or 0 for none; auto: 128MiB when JetStream is embedded and GOMEMLIMIT is not set")
		c.Access.registerAPI(fs)
	})
}

// DefaultStartTimeout is how long a service waits for NATS and JetStream
// at start: long enough for a fresh cluster to elect its leaders.
const DefaultStartTimeout = 5 * time.Minute

// AdminStartTimeout is how long an admin command waits: it is
// interactive, and an operator would rather hear at once that NATS is
// down.
const AdminStartTimeout = 10 * time.Second

// startTimeout is StartTimeout with its default.
func (c *Config) startTimeout() time.Duration {
	if c.StartTimeout <= 0 {
		return DefaultStartTimeout
	}
	return c.StartTimeout
}

func (c *Config) check() error {
	if c.Gateway != "" && (c.Keys == "" || c.TransportKey == "") {
		return fmt.Errorf("%w: --gateway needs --keys and --transport-key", ErrConfig)
	}
	return nil
}

// maxFormSize is MaxFormSize with its default.
func (c *Config) maxFormSize() int64 {
	if c.MaxFormSize <= 0 {
		return intake.DefaultMaxFormSize
	}
	return int64(c.MaxFormSize)
}

// httpLimits are the limits of the process's listener, its body budget
// sized by the maximum form size. A Config made in code (tests) without
// them gets the defaults.
func (c *Config) httpLimits() httplimit.Limits {
	l := c.HTTPLimits
	if l == (httplimit.Limits{}) {
		l = httplimit.Defaults()
	}
	return l.WithBody(httplimit.Size(c.maxFormSize()))
}
