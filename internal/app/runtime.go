package app

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/broker"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/ids"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/metrics"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/certcheck"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// Runtime is an opened salyq environment: a NATS connection (to an
// embedded server if needed), the provisioned streams, and — for the parts
// that need them — keys and a gateway client (to an in-process sandbox if
// no gateway was given).
type Runtime struct {
	Cfg     Config
	Log     *slog.Logger
	Clock   func() time.Time
	NewID   func() string
	NC      *nats.Conn
	JS      jetstream.JetStream
	Streams *streams.Set
	Board   *board.Board
	// Exchanges records the gateway exchanges of the worker and the
	// poller in the exchange journal.
	Exchanges *journal.Writer

	// DeliveryPolicy and PollBackoff come from the configuration; tests
	// shorten them.
	DeliveryPolicy delivery.Policy
	PollBackoff    statusfsm.Backoff

	// Checker verifies chains and revocation when --trust is given.
	Checker *certcheck.Checker

	// Keys and Gateway are set by OpenGateway.
	Keys    *ncakey.Keystore
	Gateway *gateway.Client
	// OpenSandbox opens the in-process sandbox when neither --gateway
	// nor --keys is given; nil in the service binaries, which then
	// refuse to start.
	OpenSandbox OpenSandbox
	// Sandbox is the in-process sandbox, when there is one.
	Sandbox Sandbox
	// Metrics is this process's instrumentation, served at /metrics.
	Metrics *metrics.Metrics
	// Lock is the held lock of --data, when this process owns it: only
	// then does it write and remove the files there that tell other
	// commands where it is (api.url).
	Lock *DataLock

	// startTimeout and patience bound the start: how long and how to
	// retry what the cluster may not answer yet (Patiently).
	startTimeout time.Duration
	patience     broker.Patience

	closers []func()
}

// Open is Open of a service: it connects to NATS — starting an embedded
// server when embed is set and no URL was given — and provisions the
// streams (creating what is missing, changing nothing that exists unless
// --reconfigure). It waits up to --start-timeout for NATS and JetStream
// to be ready, then fails with the last error.
func Open(ctx context.Context, cfg Config, log *slog.Logger, embed bool) (*Runtime, error) {
	return open(ctx, cfg, log, embed, true)
}

// OpenAdmin is Open of an admin command (status, dlq, submit): it only
// looks the streams up, whatever the flags say, and waits at most
// AdminStartTimeout.
func OpenAdmin(ctx context.Context, cfg Config, log *slog.Logger) (*Runtime, error) {
	return open(ctx, cfg, log, false, false)
}

func open(ctx context.Context, cfg Config, log *slog.Logger, embed, service bool) (*Runtime, error) {
	rt := &Runtime{Cfg: cfg, Log: log, Clock: time.Now, NewID: ids.UUID, DeliveryPolicy: delivery.DefaultPolicy(), Metrics: metrics.New()}
	rt.DeliveryPolicy.Grace = cfg.Grace
	rt.DeliveryPolicy.MaxElapsed = cfg.MaxElapsed
	rt.DeliveryPolicy.Breaks = cfg.Breaks
	rt.DeliveryPolicy.RequestTimeout = cfg.Timeout
	url := cfg.NATS
	if url == "" && embed {
		dur, err := broker.ParseDurability(cfg.Sync)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
		e, err := broker.StartEmbedded(broker.EmbeddedConfig{Dir: cfg.Data, Durability: dur})
		if err != nil {
			return nil, err
		}
		rt.closers = append(rt.closers, e.Shutdown)
		url = e.URL()
		log.Info("embedded JetStream started", "url", url, "data", cfg.Data, "sync", dur.String())
	} else if url == "" {
		var err error
		if url, err = broker.FindURL("", cfg.Data); err != nil {
			return nil, err
		}
	}
	timeout, patience := AdminStartTimeout, broker.Patience{Log: log, Attempt: 5 * time.Second}
	if service {
		// A node without a quorum does not answer JetStream requests at
		// all, so a try ends by its timeout: a tenth of the patience, up to
		// 30 s, because creating replicated streams on a loaded cluster
		// takes seconds each.
		timeout = cfg.startTimeout()
		patience = broker.Patience{Log: log, Attempt: min(max(timeout/10, 2*time.Second), 30*time.Second)}
	}
	rt.startTimeout, rt.patience = timeout, patience
	natsOpts, err := cfg.Access.NATS.Options()
	if err != nil {
		rt.Close()
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	nc, js, err := broker.Dial(sctx, url, "salyq", patience, natsOpts...)
	if err != nil {
		rt.Close()
		return nil, err
	}
	rt.NC, rt.JS = nc, js
	rt.closers = append(rt.closers, func() { nc.Drain() })
	if service {
		scfg := streams.Config{Replicas: cfg.Replicas, DuplicateWindow: cfg.DupWindow, JournalMaxAge: cfg.JournalMaxAge,
			Reconfigure: cfg.Reconfigure, Log: log}
		err = broker.Retry(sctx, patience, "provisioning JetStream", broker.Temporary, func(ctx context.Context) error {
			set, err := streams.Provision(ctx, js, scfg)
			rt.Streams = set
			return err
		})
	} else {
		err = broker.Retry(sctx, patience, "looking up the JetStream layout", broker.Temporary, func(ctx context.Context) error {
			set, err := streams.Lookup(ctx, js)
			rt.Streams = set
			return err
		})
	}
	if err != nil {
		rt.Close()
		return nil, err
	}
	rt.Board = board.New(js, rt.Streams, board.WithRetention(cfg.Retention))
	rt.Exchanges = journal.NewWriter(js, cfg.SenderPassword)
	return rt, nil
}

// Patiently runs op, which talks to JetStream at start (creating a
// consumer, say), retrying it with backoff while the cluster is not
// ready, as Open does for connecting and provisioning, and for as long.
func (rt *Runtime) Patiently(ctx context.Context, what string, op func(context.Context) error) error {
	if rt.startTimeout <= 0 { // a runtime not made by Open: one try
		return op(ctx)
	}
	sctx, cancel := context.WithTimeout(ctx, rt.startTimeout)
	defer cancel()
	return broker.Retry(sctx, rt.patience, what, broker.Temporary, op)
}

// Close releases everything in reverse order of opening.
func (rt *Runtime) Close() {
	for i := len(rt.closers) - 1; i >= 0; i-- {
		rt.closers[i]()
	}
	rt.closers = nil
}

// sandboxDir is where the in-process sandbox keeps its PKI.
func (rt *Runtime) sandboxDir() string { return filepath.Join(rt.Cfg.Data, "sandbox") }

// OpenChecker builds the certificate checker from --trust, --crl,
// --delta-crl and --revocation; without --trust there is none.
func (rt *Runtime) OpenChecker() error {
	if rt.Cfg.Trust == "" || rt.Checker != nil {
		return nil
	}
	certs, err := certcheck.LoadCertificates(rt.Cfg.Trust)
	if err != nil {
		return fmt.Errorf("%w: --trust: %w", ErrConfig, err)
	}
	opts := certcheck.Options{Clock: rt.Clock}
	for _, c := range certs {
		if c.CheckSignatureFrom(c) == nil || bytes.Equal(c.RawSubject, c.RawIssuer) {
			opts.Roots = append(opts.Roots, c)
		} else {
			opts.Intermediates = append(opts.Intermediates, c)
		}
	}
	crl, err := certcheck.ParseSource(rt.Cfg.CRL, nil)
	if err != nil {
		return fmt.Errorf("%w: --crl: %w", ErrConfig, err)
	}
	delta, err := certcheck.ParseSource(rt.Cfg.DeltaCRL, nil)
	if err != nil {
		return fmt.Errorf("%w: --delta-crl: %w", ErrConfig, err)
	}
	if crl != nil {
		// One issuing CA is the usual set-up: its CRL covers the keys.
		for _, ca := range opts.Intermediates {
			opts.Revocation = append(opts.Revocation, certcheck.RevocationConfig{Issuer: ca, CRL: crl, DeltaCRL: delta})
		}
	}
	switch rt.Cfg.Revocation {
	case "", "fail":
	case "warn":
		opts.Policy = certcheck.PolicyWarn
	default:
		return fmt.Errorf("%w: --revocation %q: want fail or warn", ErrConfig, rt.Cfg.Revocation)
	}
	ch, err := certcheck.New(opts)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	rt.Checker = ch
	return nil
}

// CheckKey refuses a certificate that does not chain to the trust anchors
// or is revoked at t; without a checker it accepts everything.
func (rt *Runtime) CheckKey(ctx context.Context, cert *x509.Certificate, t time.Time) error {
	if rt.Checker == nil {
		return nil
	}
	chain, err := rt.Checker.VerifyContext(ctx, cert, nil, t)
	for _, w := range chain.Warnings {
		rt.Log.Warn("certificate check", "subject", cert.Subject.String(), "warning", w)
	}
	return err
}

// OpenKeys opens the taxpayer keystore: --keys, or the sandbox's sample
// keys when no gateway is configured.
func (rt *Runtime) OpenKeys() error {
	if err := rt.OpenChecker(); err != nil {
		return err
	}
	dir := rt.Cfg.Keys
	if dir == "" && rt.Cfg.Gateway == "" {
		if err := rt.openSandbox(); err != nil {
			return err
		}
		dir = rt.Sandbox.KeystoreDir()
	}
	if dir == "" {
		return fmt.Errorf("%w: --keys is required", ErrConfig)
	}
	ks, err := ncakey.OpenKeystore(dir, ncakey.KeystoreOptions{
		Password:            rt.Cfg.KeysPassword,
		AllowTestIdentities: rt.Cfg.TestIdentities,
	})
	if err != nil {
		return err
	}
	rt.Keys = ks
	rt.logKeystore(ks)
	return nil
}

// keyExpiryWarning is how far ahead the start-up summary warns of a key
// that is about to expire: time enough to have NCA reissue it.
const keyExpiryWarning = 30 * 24 * time.Hour

// logKeystore logs the keystore's standing at start: one INFO line, one
// WARN per key refused and why, one WARN per key expiring soon.
func (rt *Runtime) logKeystore(ks *ncakey.Keystore) {
	// Bounded: the chain check may fetch revocation data.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := ks.Summarize(ctx, rt.Clock(), keyExpiryWarning, rt.CheckKey)
	rt.Log.Info("keystore opened", "dir", ks.Dir(), "keys", s.Loaded, "usable", s.Usable, "taxpayers", s.Taxpayers,
		"refused", len(s.Refused), "expiring", len(s.Expiring))
	for _, n := range s.Refused {
		rt.Log.Warn("keystore: key refused", "file", n.File, "taxpayer", n.Taxpayer, "reason", n.Reason)
	}
	for _, n := range s.Expiring {
		rt.Log.Warn("keystore: key expires soon", "file", n.File, "taxpayer", n.Taxpayer, "expires", ncakey.AstanaTime(n.NotAfter), "reason", n.Reason)
	}
}

// OpenGateway opens the keys and a gateway client; without --gateway it
// starts the sandbox (rt.OpenSandbox) in-process on loopback and trusts
// its certificate.
func (rt *Runtime) OpenGateway(ctx context.Context) error {
	if err := rt.Cfg.check(); err != nil {
		return err
	}
	if err := rt.OpenKeys(); err != nil {
		return err
	}
	url, transportFile, certs := rt.Cfg.Gateway, rt.Cfg.TransportKey, []*x509.Certificate(nil)
	if url == "" {
		if err := rt.openSandbox(); err != nil {
			return err
		}
		sb := rt.Sandbox
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		hs := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(ln)
		rt.closers = append(rt.closers, func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			hs.Shutdown(sctx)
		})
		url = "http://" + ln.Addr().String() + "/bip-sync-wss-gost/"
		if transportFile == "" {
			transportFile = sb.TransportKeyFile()
		}
		certs = []*x509.Certificate{sb.GatewayCert()}
		// The in-process sandbox hands messages on at once and moves
		// statuses every SimStep: wait and poll on its scale.
		rt.DeliveryPolicy.Grace = min(rt.DeliveryPolicy.Grace, time.Second)
		// In process, a request reaches the gateway when it is made.
		rt.DeliveryPolicy.RequestTimeout = min(rt.DeliveryPolicy.RequestTimeout, time.Second)
		step := sb.StatusStep()
		rt.PollBackoff = statusfsm.Backoff{Min: step, Max: 10 * step, Factor: 1.5}
		// Its desk audits end a few steps after the final status, not
		// weeks: watch for their notices on its scale too.
		rt.Cfg.NoticeWatch = min(rt.Cfg.NoticeWatch, 13*step)
		rt.Cfg.NoticeEvery = min(rt.Cfg.NoticeEvery, 6*step)
		rt.Log.Info("in-process sandbox gateway started", "url", url, "keys", sb.KeystoreDir())
	}
	transport, err := ncakey.LoadBeside(transportFile, rt.Cfg.TransportPass)
	if err != nil {
		return fmt.Errorf("transport key: %w", err)
	}
	// A revoked or unchainable transport key is refused before anything
	// is sent.
	if err := rt.CheckKey(ctx, transport.Certificate(), rt.Clock()); err != nil {
		return fmt.Errorf("transport key: %w", err)
	}
	// The operator registers an information-system key; another role is
	// allowed (the gateway judges), but is likely the wrong file.
	if id := transport.Identity(); id.Role != ncakey.RoleInfoSystem {
		rt.Log.Warn("transport key is not an information-system key", "file", transportFile, "identity", id.String())
	} else {
		rt.Log.Info("transport key", "file", transportFile, "identity", id.String(), "expires", ncakey.AstanaTime(id.NotAfter))
	}
	if rt.Cfg.GatewayCert != "" {
		if certs, err = certcheck.LoadCertificates(rt.Cfg.GatewayCert); err != nil {
			return fmt.Errorf("%w: --gateway-cert: %w", ErrConfig, err)
		}
	}
	if len(certs) == 0 {
		rt.Log.Warn("no --gateway-cert: gateway answers are accepted without checking their signature")
	}
	table := gateway.DefaultTable()
	if rt.Cfg.Codes != "" {
		if table, err = gateway.LoadTable(rt.Cfg.Codes, table); err != nil {
			return fmt.Errorf("%w: --codes: %w", ErrConfig, err)
		}
		rt.Log.Info("gateway error codes loaded", "file", rt.Cfg.Codes, "codes", len(table))
	}
	rt.Gateway = gateway.NewClient(gateway.Config{
		URL:          url,
		Timeout:      rt.Cfg.Timeout,
		Codec:        &envelope.Codec{Signer: transport.Signer(), Clock: rt.Clock, NewID: rt.NewID},
		Sender:       envelope.Sender{ID: rt.Cfg.SenderID, Password: rt.Cfg.SenderPassword},
		GatewayCerts: certs,
		Table:        table,
		Log:          rt.Log.With("part", "gateway"),
		Observer:     rt.Metrics,
	})
	return nil
}
