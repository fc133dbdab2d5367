package sonosim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/salyq/salyq/pkg/certcheck"
	"github.com/salyq/salyq/pkg/envelope"
)

const (
	contentTypeXML  = "text/xml; charset=utf-8"
	contentTypeText = "text/plain; charset=utf-8"
	// adminPrefix is the path space of the sandbox's own endpoints; every
	// other path is SyncChannel.
	adminPrefix = "/_sim/"
)

// Server is the sandbox gateway, an http.Handler. It is safe for
// concurrent use.
type Server struct {
	cfg       Config
	loc       *time.Location
	codec     *envelope.Codec
	templates *envelope.Templates
	store     *store
	stats     *statsBook
	rand      *faultRand
	throttle  *throttle
	maint     *maintenance
	journal   *journal
	trust     *certcheck.Checker
}

// New makes a sandbox gateway from cfg; see Config for the defaults.
func New(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.applyDefaults()
	loc, err := time.LoadLocation("Asia/Almaty") // tzdata is linked in by pkg/envelope
	if err != nil {
		return nil, fmt.Errorf("sonosim: %w", err)
	}
	if cfg.NewID == nil {
		cfg.NewID = seededIDs(cfg.Seed)
	}
	tmpl := cfg.Templates
	if tmpl == nil {
		if tmpl, err = envelope.LoadTemplates(); err != nil {
			return nil, fmt.Errorf("sonosim: templates: %w", err)
		}
	}
	j, err := newJournal(cfg.JournalDir, loc)
	if err != nil {
		return nil, err
	}
	trust, err := newTrust(context.Background(), cfg.Trust, cfg.CRLs, cfg.Clock)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:       cfg,
		loc:       loc,
		codec:     &envelope.Codec{Signer: cfg.Gateway, Clock: cfg.Clock, NewID: cfg.NewID},
		templates: tmpl,
		store:     newStore(),
		stats:     newStatsBook(),
		rand:      newFaultRand(cfg.Seed),
		throttle:  &throttle{limit: cfg.Faults.ThrottleRPS},
		maint:     &maintenance{cfg: cfg.Faults.Maintenance},
		journal:   j,
		trust:     trust,
	}
	s.maint.reset(cfg.Clock())
	return s, nil
}

// Stats returns a copy of what the sandbox saw since start or reset.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// Filings returns the filings in the order they were accepted.
func (s *Server) Filings() []Filing { return s.store.all() }

// Notices returns the notices the tax office issued about the filing of
// requestID by now (what a status answer at now carries), and whether
// there is such a filing.
func (s *Server) Notices(requestID string, now time.Time) ([]envelope.Notice, bool) {
	f, ok := s.store.byRequestID(requestID)
	if !ok {
		return nil, false
	}
	return f.sc.issued(f.FiledAt, now, s.cfg.StatusStep), true
}

// Reset forgets every filing and statistic and restarts the fault
// schedules: the throttle window, the periodic maintenance epoch and the
// fault random source (so a reset run repeats its faults). Request ids
// keep counting, so ids from before the reset are never handed out again.
func (s *Server) Reset() {
	s.store.reset()
	s.stats.reset()
	s.rand.reset()
	s.throttle.reset()
	s.maint.reset(s.cfg.Clock())
}

// answer is what the gateway sends back for one request.
type answer struct {
	status      int
	contentType string
	retryAfter  time.Duration
	body        []byte
	// code is the fault or refusal code, for the log.
	code string
	// drop closes the connection without an answer.
	drop bool
}

// ServeHTTP serves SyncChannel on every path but /_sim/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "SyncChannel takes POST with a SOAP envelope", http.StatusMethodNotAllowed)
		return
	}
	ctx := r.Context()
	received := s.cfg.Clock()
	var ans *answer
	service := ""
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		s.stats.request("")
		s.stats.refusal(envelope.FaultTooLarge)
		ans = s.fault(ctx, http.StatusRequestEntityTooLarge, envelope.FaultTooLarge,
			fmt.Sprintf("request body exceeds %d bytes", s.cfg.MaxBodyBytes), 0)
	case err != nil:
		// The sender went away mid-request: nobody to answer.
		return
	default:
		ans, service = s.handle(ctx, r, body)
	}
	if jerr := s.journal.write(service, received, body, ans, s.cfg.Clock()); jerr != nil {
		s.cfg.Logger.Warn("journal", "err", jerr)
	}
	s.cfg.Logger.Info("exchange", "service", service, "status", ans.status, "code", ans.code, "drop", ans.drop)
	s.deliver(w, ans)
}

// handle answers one SyncChannel request. Parsing comes first so that
// statistics know the service even of requests a fault is injected into;
// a parse error is answered only after the injected faults, as the real
// gateway would refuse a request during a break before reading it.
func (s *Server) handle(ctx context.Context, r *http.Request, body []byte) (*answer, string) {
	msg, perr := envelope.ReadMessage(body)
	var req *envelope.Request
	if perr == nil {
		req, perr = msg.Request()
	}
	service := ""
	if perr == nil {
		service = req.Info.ServiceID
		perr = checkContentType(r.Header.Get("Content-Type"))
	}
	s.stats.request(service)

	d := s.rand.draw()
	f := &s.cfg.Faults
	if delay, tail := f.latency(d); delay > 0 {
		if tail {
			s.stats.fault(faultTail)
		}
		if err := s.cfg.Sleep(ctx, delay); err != nil {
			return &answer{drop: true, code: "client gone"}, service
		}
	}
	now := s.cfg.Clock()
	if wait := s.maint.active(now); wait > 0 {
		s.stats.fault(faultMaintenance)
		return s.fault(ctx, http.StatusServiceUnavailable, envelope.FaultMaintenance,
			"technological break of the gateway", wait), service
	}
	if ok, wait := s.throttle.admit(now); !ok {
		s.stats.fault(faultThrottled)
		return s.fault(ctx, http.StatusTooManyRequests, envelope.FaultThrottled,
			fmt.Sprintf("more than %d requests per second", f.ThrottleRPS), wait), service
	}
	if hit(d.http503, f.HTTP503Rate) {
		s.stats.fault(faultHTTP503)
		return &answer{status: http.StatusServiceUnavailable, contentType: contentTypeText,
			body: []byte("503 Service Temporarily Unavailable\n"), code: "http503"}, service
	}
	if hit(d.transient, f.TransientRate) {
		s.stats.fault(faultTransient)
		return s.fault(ctx, http.StatusInternalServerError, envelope.FaultTechnical,
			"technical error, retry later", 0), service
	}
	if perr != nil {
		return s.refuse(ctx, envelope.FaultRequest, "request error: "+perr.Error()), service
	}
	cert, err := msg.Verify()
	if err != nil {
		return s.refuse(ctx, envelope.FaultSignature, "WS-Security: "+err.Error()), service
	}
	if err := s.checkTransport(ctx, cert, now); err != nil {
		return s.refuse(ctx, envelope.FaultCertificate, err.Error()), service
	}
	switch service {
	case envelope.ServiceSend:
		return s.send(ctx, req, d, now), service
	case envelope.ServiceStatus:
		return s.status(ctx, req, now), service
	}
	return s.refuse(ctx, envelope.FaultUnknownService, fmt.Sprintf("service %q is not routed by this gateway", service)), service
}

// checkContentType insists on SOAP 1.1's text/xml.
func checkContentType(v string) error {
	mt, _, err := mime.ParseMediaType(v)
	if err != nil || mt != "text/xml" {
		return fmt.Errorf("Content-Type %q: SOAP 1.1 wants text/xml", v)
	}
	return nil
}

// refuse answers a verification failure: a SOAP fault, HTTP 500.
func (s *Server) refuse(ctx context.Context, code, msg string) *answer {
	s.stats.refusal(code)
	return s.fault(ctx, http.StatusInternalServerError, code, msg, 0)
}

// fault writes a signed SOAP fault. Faults the sender cannot fix by
// changing the request are soap:Server, the others soap:Client.
func (s *Server) fault(ctx context.Context, status int, code, msg string, retry time.Duration) *answer {
	who := "soap:Client"
	switch code {
	case envelope.FaultTechnical, envelope.FaultMaintenance, envelope.FaultThrottled:
		who = "soap:Server"
	}
	out, err := s.codec.EncodeFault(ctx, who, msg, &envelope.ErrorInfo{Code: code, Message: msg})
	if err != nil {
		return s.internal(err)
	}
	return &answer{status: status, contentType: contentTypeXML, body: out, retryAfter: retry, code: code}
}

// internal answers a failure of the sandbox itself, never a 200.
func (s *Server) internal(err error) *answer {
	s.cfg.Logger.Error("sandbox failure", "err", err)
	return &answer{status: http.StatusInternalServerError, contentType: contentTypeText,
		body: []byte("sandbox internal error\n"), code: "internal"}
}

// business writes a signed SendMessageResponse carrying data.
func (s *Server) business(ctx context.Context, req *envelope.Request, data *etree.Element, code string) *answer {
	resp := &envelope.Response{
		Info: envelope.ResponseInfo{
			CorrelationID: req.Info.MessageID,
			Status:        envelope.Status{Code: s.cfg.SuccessCode, Message: "Сообщение обработано"},
			SessionID:     "{" + s.cfg.NewID() + "}",
		},
		Data: data,
	}
	out, err := s.codec.EncodeResponse(ctx, resp)
	if err != nil {
		return s.internal(err)
	}
	return &answer{status: http.StatusOK, contentType: contentTypeXML, body: out, code: code}
}

func (s *Server) deliver(w http.ResponseWriter, ans *answer) {
	if ans.drop {
		dropConnection(w)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ans.contentType)
	if ans.retryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(int64((ans.retryAfter+time.Second-1)/time.Second), 10))
	}
	h.Set("Content-Length", strconv.Itoa(len(ans.body)))
	w.WriteHeader(ans.status)
	_, _ = w.Write(ans.body)
}

// dropConnection closes the connection without an answer. When the
// connection cannot be hijacked (HTTP/2, a recorder), the handler is
// aborted the way net/http provides for: the server resets the stream
// and does not log it.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case adminPrefix + "stats":
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "GET only", http.StatusMethodNotAllowed)
			return
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(s.Stats()); err != nil {
			http.Error(w, "stats: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(buf.Bytes())
	case adminPrefix + "reset":
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}
