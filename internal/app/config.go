package app

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/salyq/salyq/internal/httplimit"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/poller"
	"github.com/salyq/salyq/internal/streams"
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
	Reconfigure    bool          // let a service change an existing stream or bucket to its flags
	StartTimeout   time.Duration // how long a service waits for NATS and JetStream at start
	Concurrency    int
	MaxInFlight    int
	Rate           int           // gateway requests per second, all workers
	Grace          time.Duration // gateway hand-off grace before NOT_FOUND counts
	MaxElapsed     time.Duration // give up on transient failures after this
	Timeout        time.Duration // one gateway request
	PollerLease    time.Duration // how long the active poller's lease lasts unrenewed
	TestIdentities bool          // accept NCA test IIN/BIN

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

// env reads a SALYQ_* variable as the default of a flag.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

func envBool(name string) bool {
	b, err := strconv.ParseBool(os.Getenv(name))
	return err == nil && b
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

// envSize reads a SALYQ_* size such as 4MiB (httplimit.Size).
func envSize(name string, def httplimit.Size) httplimit.Size {
	if n, err := httplimit.ParseSize(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

// registerHTTPLimits adds the --http-* flags of every listener.
func registerHTTPLimits(fs *flag.FlagSet, l *httplimit.Limits) {
	d := httplimit.Defaults()
	fs.DurationVar(&l.ReadHeaderTimeout, "http-read-header-timeout", envDuration("SALYQ_HTTP_READ_HEADER_TIMEOUT", d.ReadHeaderTimeout), "HTTP: time to read a request's headers, and how long a new connection may stay silent (env SALYQ_HTTP_READ_HEADER_TIMEOUT)")
	fs.DurationVar(&l.ReadTimeout, "http-read-timeout", envDuration("SALYQ_HTTP_READ_TIMEOUT", d.ReadTimeout), "HTTP: time to read a whole request, body included (env SALYQ_HTTP_READ_TIMEOUT)")
	fs.DurationVar(&l.WriteTimeout, "http-write-timeout", envDuration("SALYQ_HTTP_WRITE_TIMEOUT", d.WriteTimeout), "HTTP: time from a request's headers to the end of its answer (env SALYQ_HTTP_WRITE_TIMEOUT)")
	fs.DurationVar(&l.IdleTimeout, "http-idle-timeout", envDuration("SALYQ_HTTP_IDLE_TIMEOUT", d.IdleTimeout), "HTTP: how long a keep-alive connection may wait for its next request (env SALYQ_HTTP_IDLE_TIMEOUT)")
	fs.IntVar(&l.MaxHeaderBytes, "http-max-header-bytes", envInt("SALYQ_HTTP_MAX_HEADER_BYTES", d.MaxHeaderBytes), "HTTP: largest request line and headers (env SALYQ_HTTP_MAX_HEADER_BYTES)")
	fs.IntVar(&l.MaxConcurrent, "http-max-concurrent", envInt("SALYQ_HTTP_MAX_CONCURRENT", d.MaxConcurrent), "HTTP: requests served at once; more are answered 503 with Retry-After (0: no cap) (env SALYQ_HTTP_MAX_CONCURRENT)")
	l.MaxReadBytes = envSize("SALYQ_HTTP_MAX_READ_BYTES", 0)
	fs.Var(&l.MaxReadBytes, "http-max-read-bytes", "HTTP: request body bytes held at once across all requests, e.g. 16MiB; 0: 2 × --max-form-size (env SALYQ_HTTP_MAX_READ_BYTES)")
}

// Register adds the shared flags to fs; every flag's default comes from
// its environment variable when set.
func (c *Config) Register(fs *flag.FlagSet) {
	fs.StringVar(&c.NATS, "nats", env("SALYQ_NATS", ""), "NATS URL (env SALYQ_NATS); empty: embedded JetStream server under --data")
	fs.StringVar(&c.Data, "data", env("SALYQ_DATA", "./salyq-data"), "data directory (env SALYQ_DATA)")
	fs.StringVar(&c.Gateway, "gateway", env("SALYQ_GATEWAY", ""), "gateway SyncChannel URL (env SALYQ_GATEWAY); empty: in-process sandbox with its test keys")
	fs.StringVar(&c.Keys, "keys", env("SALYQ_KEYS", ""), "keystore directory of taxpayer .p12 files (env SALYQ_KEYS); empty with the sandbox: its sample keys")
	c.KeysPassword = os.Getenv("SALYQ_KEYS_PASSWORD")
	fs.StringVar(&c.TransportKey, "transport-key", env("SALYQ_TRANSPORT_KEY", ""), "the organisation's transport .p12 (env SALYQ_TRANSPORT_KEY); password from SALYQ_TRANSPORT_KEY_PASSWORD or the keystore's passwords file")
	c.TransportPass = os.Getenv("SALYQ_TRANSPORT_KEY_PASSWORD")
	fs.StringVar(&c.SenderID, "sender-id", env("SALYQ_SENDER_ID", "salyq"), "requestInfo/sender/senderId (env SALYQ_SENDER_ID)")
	fs.StringVar(&c.SenderPassword, "sender-password", env("SALYQ_SENDER_PASSWORD", ""), "requestInfo/sender/password (env SALYQ_SENDER_PASSWORD; prefer the variable: flags show in ps)")
	fs.StringVar(&c.GatewayCert, "gateway-cert", env("SALYQ_GATEWAY_CERT", ""), "PEM file of the certificate(s) the gateway signs answers with; answers not signed by one are treated as ambiguous")
	fs.StringVar(&c.Codes, "codes", env("SALYQ_CODES", ""), `JSON file of gateway and SONO error codes and their classes, e.g. {"SRV_BUSY": "transient"} (env SALYQ_CODES): added to the built-in table, replacing its entries; classes transient, throttled, maintenance, permanent, ambiguous`)
	fs.StringVar(&c.Trust, "trust", env("SALYQ_TRUST", ""), "NCA CA certificates, a file or directory of DER/PEM (env SALYQ_TRUST): keys must chain to them before they sign; empty: no chain check")
	fs.StringVar(&c.CRL, "crl", env("SALYQ_CRL", "off"), "CRL of the issuing CA: off, a file path, or an http(s) URL (env SALYQ_CRL)")
	fs.StringVar(&c.DeltaCRL, "delta-crl", env("SALYQ_DELTA_CRL", "off"), "delta CRL: off, a file path, or an http(s) URL (env SALYQ_DELTA_CRL)")
	fs.StringVar(&c.Revocation, "revocation", env("SALYQ_REVOCATION", "fail"), "when revocation status cannot be determined: fail (refuse the key) or warn")
	fs.StringVar(&c.HTTP, "http", env("SALYQ_HTTP", "127.0.0.1:8480"), "listen address of the intake API (producer, run) and of /healthz and /readyz (every service); env SALYQ_HTTP, for the worker SALYQ_WORKER_HTTP (default 127.0.0.1:8481), for the poller SALYQ_POLLER_HTTP (default 127.0.0.1:8482); empty disables")
	registerHTTPLimits(fs, &c.HTTPLimits)
	c.MaxFormSize = envSize("SALYQ_MAX_FORM_SIZE", intake.DefaultMaxFormSize)
	fs.Var(&c.MaxFormSize, "max-form-size", "largest form accepted on every path, e.g. 4MiB (env SALYQ_MAX_FORM_SIZE); larger ones are refused with 413; must fit the NATS server's max_payload with 64KiB to spare")
	fs.StringVar(&c.Sync, "sync", env("SALYQ_SYNC", "always"), `embedded JetStream fsync: "always" (every write on disk before it is acknowledged) or an interval such as 1s`)
	fs.DurationVar(&c.DupWindow, "dup-window", envDuration("SALYQ_DUP_WINDOW", streams.DefaultDuplicateWindow), "JetStream duplicate window of submissions (env SALYQ_DUP_WINDOW); past it the board and the delivery journal still keep a form from being filed twice")
	fs.IntVar(&c.Replicas, "replicas", envInt("SALYQ_REPLICAS", 1), "replicas of streams and buckets (3 on a cluster)")
	fs.BoolVar(&c.Reconfigure, "reconfigure", envBool("SALYQ_RECONFIGURE"), "services: change existing streams and buckets to --replicas, --dup-window (env SALYQ_RECONFIGURE=1); without it a difference is only logged, and nothing is ever lowered")
	fs.DurationVar(&c.StartTimeout, "start-timeout", envDuration("SALYQ_START_TIMEOUT", DefaultStartTimeout), "services: how long to wait for NATS and JetStream at start before exiting with the last error (env SALYQ_START_TIMEOUT)")
	fs.IntVar(&c.Concurrency, "concurrency", envInt("SALYQ_CONCURRENCY", 32), "submissions one worker process handles at once")
	fs.IntVar(&c.MaxInFlight, "max-in-flight", envInt("SALYQ_MAX_IN_FLIGHT", 64), "cap on unacknowledged submissions across all workers")
	fs.IntVar(&c.Rate, "rate", envInt("SALYQ_RATE", 0), "gateway requests per second across all workers (0: no cap)")
	fs.DurationVar(&c.Grace, "grace", envDuration("SALYQ_GRACE", 70*time.Second), "after a send whose answer was lost, how long a NOT_FOUND proves nothing (the gateway hands messages on within a minute)")
	fs.DurationVar(&c.MaxElapsed, "give-up-after", envDuration("SALYQ_GIVE_UP_AFTER", 72*time.Hour), "dead-letter a form whose transient failures last longer than this")
	fs.DurationVar(&c.Timeout, "timeout", envDuration("SALYQ_TIMEOUT", 60*time.Second), "one gateway request")
	fs.DurationVar(&c.PollerLease, "poller-lease", envDuration("SALYQ_POLLER_LEASE", poller.DefaultActiveLease), "pollers: how long the active poller's lease lasts without renewal (env SALYQ_POLLER_LEASE); a standby takes over from a poller that died within this plus a third of it")
	fs.BoolVar(&c.TestIdentities, "test-identities", env("SALYQ_TEST_IDENTITIES", "") == "1", "accept NCA's test IIN/BIN (the NCA test environment only)")
	fs.DurationVar(&c.SimStep, "sandbox-step", 500*time.Millisecond, "in-process sandbox: time a filing spends in each status")
	fs.Uint64Var(&c.SimSeed, "sandbox-seed", 1, "in-process sandbox: seed of outcomes and faults")
	fs.StringVar(&c.MemoryLimit, "memory-limit", env("SALYQ_MEMORY_LIMIT", "auto"), "Go soft memory limit such as 256MiB, or 0 for none (env SALYQ_MEMORY_LIMIT); auto: 128MiB when JetStream is embedded and GOMEMLIMIT is not set")
	fs.BoolVar(&c.Verbose, "v", false, "verbose logging: --log-level debug")
	fs.StringVar(&c.LogFormat, "log-format", env("SALYQ_LOG_FORMAT", LogText), "log format: text or json (env SALYQ_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", env("SALYQ_LOG_LEVEL", "info"), "log level: debug, info, warn or error (env SALYQ_LOG_LEVEL)")
	c.Access.register(fs)
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
