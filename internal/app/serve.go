package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/salyq/salyq/internal/delays"
	"github.com/salyq/salyq/internal/delivery"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/journal"
	"github.com/salyq/salyq/internal/poller"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/statusfsm"
)

// Parts selects what a process runs.
type Parts struct {
	Intake, Worker, Poller bool
}

// All is every part: `salyq run`.
var All = Parts{Intake: true, Worker: true, Poller: true}

// defaultHTTP is the --http address of a process running parts and its
// variable: SALYQ_HTTP (127.0.0.1:8480) for the intake, that is the
// producer and `salyq run`; SALYQ_WORKER_HTTP (…:8481) and
// SALYQ_POLLER_HTTP (…:8482) for the worker and the poller, so that the
// three can share one machine and one environment file.
func (p Parts) defaultHTTP() (addr, variable string) {
	switch {
	case p.Intake || p == (Parts{}):
		return "127.0.0.1:8480", "SALYQ_HTTP"
	case p.Worker:
		return "127.0.0.1:8481", "SALYQ_WORKER_HTTP"
	}
	return "127.0.0.1:8482", "SALYQ_POLLER_HTTP"
}

// NewIntake returns an intake on the runtime's keys and streams.
func (rt *Runtime) NewIntake() (*intake.Intake, error) {
	ts, err := envelope.LoadTemplates()
	if err != nil {
		return nil, err
	}
	// Checked here, not at the first large form: a form the server
	// cannot carry would be refused as "maximum payload exceeded", which
	// reads as "retry" to a client.
	if err := intake.CheckPayload(rt.Cfg.maxFormSize(), rt.NC.MaxPayload()); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	guard, err := rt.openFiled()
	if err != nil {
		return nil, err
	}
	return intake.New(intake.Config{
		JS: rt.JS, Board: rt.Board, Keys: rt.Keys, Templates: ts, CheckKey: rt.CheckKey,
		AllowTestIdentities: rt.Cfg.TestIdentities, Clock: rt.Clock, Metrics: rt.Metrics, MaxFormSize: rt.Cfg.maxFormSize(),
		Filed: guard,
	}), nil
}

// Serve runs the selected parts until ctx is cancelled, then shuts them
// down gracefully: the intake API stops taking forms, sends in flight
// finish and are journaled, polls in flight are applied. The runtime must
// have a gateway (OpenGateway) for the worker and the poller, and keys
// (OpenKeys) for the intake.
func Serve(ctx context.Context, rt *Runtime, parts Parts) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	run := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
				cancel()
			}
		}()
	}
	// The listener comes first: a taken port stops the process before it
	// takes work.
	var hs *http.Server
	var ln net.Listener
	var tlsConf *tls.Config // the intake API's, when --tls-cert
	var health *Health      // the probes, when --http
	if rt.Cfg.HTTP != "" {
		// Every service answers /healthz and /readyz on --http; the
		// producer serves its intake API on the same listener.
		var api http.Handler
		what := "health probes"
		if parts.Intake {
			in, err := rt.NewIntake()
			if err != nil {
				return err
			}
			if api, tlsConf, err = rt.Cfg.Access.secureAPI(rt.Cfg.HTTP, in.Handler()); err != nil {
				return err
			}
			// The dashboard takes the same tokens through its login
			// page and session cookie, not the API's bearer check.
			ui, err := rt.newDashboard(tlsConf != nil)
			if err != nil {
				return err
			}
			api = withDashboard(api, ui)
			what = "intake API"
		}
		var err error
		ln, err = net.Listen("tcp", rt.Cfg.HTTP)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		// Closed by hs.Shutdown, or here when a part fails to start.
		defer ln.Close()
		health = NewHealth(rt)
		if err := rt.watch(parts, health); err != nil {
			return err
		}
		hs = rt.Cfg.httpLimits().Server(rt.withMetrics(health.Wrap(api)))
		hs.TLSConfig = tlsConf
		base := "http://" + ln.Addr().String()
		if tlsConf != nil {
			base = "https://" + ln.Addr().String()
		}
		if parts.Intake {
			rt.Log.Info("intake API listening", "url", base+"/v1/forms", "dashboard", base+"/ui/", "ready", base+"/readyz")
			if rt.Lock != nil {
				remove, err := publishAPIURL(rt.Lock.Dir(), localURL(base, ln.Addr()))
				if err != nil {
					return err
				}
				defer remove()
			}
		} else {
			rt.Log.Info("health probes listening", "healthz", base+"/healthz", "readyz", base+"/readyz")
		}
	}
	if parts.Worker {
		var w *delivery.Worker
		err := rt.Patiently(ctx, "creating the worker's consumer", func(ctx context.Context) (err error) {
			w, err = delivery.New(ctx, delivery.Config{
				JS: rt.JS, Streams: rt.Streams, Gateway: rt.Gateway, Keys: rt.Keys, CheckKey: rt.CheckKey, Board: rt.Board,
				Policy: rt.DeliveryPolicy, Concurrency: rt.Cfg.Concurrency, MaxInFlight: rt.Cfg.MaxInFlight,
				RatePerSecond: rt.Cfg.Rate, AckWait: 2*rt.Cfg.Timeout + 30*time.Second,
				Name: hostName() + "/" + rt.NewID()[:8], Clock: rt.Clock, NewID: rt.NewID, Log: rt.Log.With("part", "worker"),
				Metrics: rt.Metrics, Exchanges: rt.Exchanges,
			})
			return err
		})
		if err != nil {
			return startErr(ctx, err)
		}
		run("worker", w.Run)
	}
	if parts.Poller {
		if err := os.MkdirAll(rt.Cfg.Data, 0o700); err != nil {
			return err
		}
		store, err := statusfsm.Open(filepath.Join(rt.Cfg.Data, "status.db"), &statusfsm.Options{Clock: rt.Clock, Backoff: rt.PollBackoff,
			NoticeWatch: rt.Cfg.NoticeWatch, NoticeEvery: rt.Cfg.NoticeEvery})
		if err != nil {
			return err
		}
		defer store.Close()
		if health != nil {
			health.Check("status store", func(context.Context) error { _, err := store.Counts(); return err })
		}
		var p *poller.Poller
		err = rt.Patiently(ctx, "creating the poller's consumer", func(ctx context.Context) (err error) {
			p, err = poller.New(ctx, poller.Config{
				JS: rt.JS, Store: store, Gateway: rt.Gateway, Keys: rt.Keys, CheckKey: rt.CheckKey, Board: rt.Board,
				Leases: rt.Streams.Leases, Name: hostName() + "/" + rt.NewID()[:8], ActiveLease: rt.Cfg.PollerLease, ReleaseOnStop: true,
				ThrottleDelay: rt.DeliveryPolicy.ThrottleDelay, MaintenanceDelay: rt.DeliveryPolicy.MaintenanceDelay, Breaks: rt.DeliveryPolicy.Breaks,
				Concurrency: rt.Cfg.Concurrency, Clock: rt.Clock, Log: rt.Log.With("part", "poller"),
				Metrics: rt.Metrics, Exchanges: rt.Exchanges,
			})
			return err
		})
		if err != nil {
			return startErr(ctx, err)
		}
		run("poller", p.Run)
		// The delay watch sweeps the board while this poller is the
		// active one: one sweeper at a time, and forms nobody works on
		// are seen too.
		watch, err := delays.New(delays.Config{Board: rt.Board, Journal: rt.Exchanges, Exchanges: journal.NewReader(rt.JS),
			Clock: rt.Clock, Breaks: rt.Cfg.Breaks, Active: p.Active, Log: rt.Log.With("part", "delays")})
		if err != nil {
			return err
		}
		run("delays", watch.Run)
	}
	if hs != nil {
		run("http", func(ctx context.Context) error {
			go func() {
				<-ctx.Done()
				sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
				defer c()
				hs.Shutdown(sctx)
			}()
			serve := hs.Serve
			if hs.TLSConfig != nil {
				// The certificate is in TLSConfig already.
				serve = func(ln net.Listener) error { return hs.ServeTLS(ln, "", "") }
			}
			if err := serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
	}
	wg.Wait()
	close(errs)
	var all []error
	for e := range errs {
		all = append(all, e)
	}
	return errors.Join(all...)
}

// startErr ignores a failure caused by shutting down during start-up.
func startErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func hostName() string {
	h, err := os.Hostname()
	if err != nil {
		return "worker"
	}
	return h
}

// apiURLFile is the file under --data that holds the base URL of the
// running instance's intake API, for `salyq submit`.
const apiURLFile = "api.url"

// publishAPIURL writes base into dir's api.url (renamed into place, so a
// reader never sees half of it) and returns what removes it again, only
// while it still holds base.
func publishAPIURL(dir, base string) (remove func(), err error) {
	path := filepath.Join(dir, apiURLFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(base+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("api.url: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("api.url: %w", err)
	}
	return func() {
		if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) == base {
			os.Remove(path)
		}
	}, nil
}

// localURL is base as a client on this machine reaches it: a listener on
// every address (":8480") is reached through localhost.
func localURL(base string, addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsUnspecified() {
		return base
	}
	scheme, _, _ := strings.Cut(base, "://")
	return scheme + "://" + net.JoinHostPort("localhost", port)
}
