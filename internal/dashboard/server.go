package dashboard

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/auth"
	"github.com/salyq/salyq/internal/availability"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/labels"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/statusfsm"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Prefix is where the dashboard is mounted.
const Prefix = "/ui/"

// Config is what the dashboard reads and acts on.
type Config struct {
	JS      jetstream.JetStream
	Streams *streams.Set
	Board   *board.Board
	// Tokens are the API's tokens; nil: an open dashboard, which the
	// caller allows on loopback only (as the API).
	Tokens *auth.Tokens
	// Secure marks the session cookie Secure: the listener is TLS.
	Secure bool
	// Keys summarizes the keystore at a time for a window ahead; nil:
	// no keystore in this process.
	Keys func(ctx context.Context, at time.Time, window time.Duration) ncakey.Summary
	// Availability is the gateway's availability over [from, to) per
	// endpoint and service; nil: not shown.
	Availability func(ctx context.Context, from, to time.Time) ([]availability.Result, error)
	// Clock and Random default to time.Now and crypto/rand.
	Clock  func() time.Time
	Random io.Reader
	Log    *slog.Logger
	// MaxLive bounds concurrent live-update connections (default 8):
	// each holds a NATS consumer and one of the listener's request slots.
	MaxLive int
	// SessionTTL is how long a login lasts (default 12 h).
	SessionTTL time.Duration
	// Table classifies statuses; nil: statusfsm.DefaultTable.
	Table *statusfsm.Table
}

// Server serves the dashboard.
type Server struct {
	cfg  Config
	ss   *sessions
	tpl  *template.Template
	live chan struct{}
	mux  *http.ServeMux
	// cache serves the board's views to the pages that list forms.
	cache viewCache
}

// New returns a dashboard on cfg.
func New(cfg Config) (*Server, error) {
	if cfg.JS == nil || cfg.Streams == nil || cfg.Board == nil {
		return nil, fmt.Errorf("%w: JetStream, streams and board are required", ErrConfig)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxLive <= 0 {
		cfg.MaxLive = 8
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Table == nil {
		cfg.Table = statusfsm.DefaultTable()
	}
	ss, err := newSessions(cfg.Random, cfg.SessionTTL, cfg.Secure)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, ss: ss, live: make(chan struct{}, cfg.MaxLive)}
	if s.tpl, err = template.New("").Funcs(s.funcs()).ParseFS(assets, "templates/*.html"); err != nil {
		return nil, fmt.Errorf("%w: templates: %w", ErrConfig, err)
	}
	s.mux = s.routes()
	return s, nil
}

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /ui/static/", http.StripPrefix("/ui/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /ui/login", s.loginPage)
	mux.HandleFunc("POST /ui/login", s.login)
	mux.HandleFunc("GET /ui/lang/{lang}", s.setLang)
	mux.Handle("POST /ui/logout", s.authed(s.logout))
	mux.Handle("GET /ui/{$}", s.authed(s.overview("overview")))
	mux.Handle("GET /ui/counts", s.authed(s.overview("counts")))
	mux.Handle("GET /ui/forms", s.authed(s.forms))
	mux.Handle("GET /ui/forms/{id}", s.authed(s.form("form")))
	mux.Handle("GET /ui/forms/{id}/live", s.authed(s.form("formlive")))
	mux.Handle("GET /ui/forms/{id}/exchanges/{n}/{part}", s.authed(s.exchange))
	mux.Handle("GET /ui/batches", s.authed(s.batches("batches")))
	mux.Handle("GET /ui/batches/live", s.authed(s.batches("batchlist")))
	mux.Handle("GET /ui/batches/{id}", s.authed(s.batch("batch")))
	mux.Handle("GET /ui/batches/{id}/live", s.authed(s.batch("batchlive")))
	mux.Handle("GET /ui/batches/{id}/{file}", s.authed(s.batchReport))
	mux.Handle("GET /ui/notices", s.authed(s.notices))
	mux.Handle("GET /ui/dlq", s.authed(s.deadLetters))
	mux.Handle("POST /ui/dlq/confirm", s.authed(s.confirmReplay))
	mux.Handle("POST /ui/dlq/replay", s.authed(s.replay))
	mux.Handle("GET /ui/events", s.authed(s.events))
	return mux
}

// ServeHTTP serves everything under Prefix.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Scripts and styles from this origin only, no frames: a form's XML
	// or a notice's text can never run as script or be framed.
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if len(r.URL.RawQuery) > maxQuery {
		s.fail(w, r, http.StatusRequestURITooLong, &QueryError{Param: "query", Reason: "too long"})
		return
	}
	s.mux.ServeHTTP(w, r)
}

// maxQuery bounds a query string: filters are a status and a taxpayer.
const maxQuery = 1024

// request is a request with its session and principal.
type request struct {
	*http.Request
	ss   session
	who  auth.Principal
	lang string
}

// authed serves h to a request with a session; a request without one is
// sent to the login page (a GET), refused 401 (events, POSTs). An open
// dashboard gives every request a session.
func (s *Server) authed(h func(http.ResponseWriter, *request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := s.cfg.Clock()
		ss, err := s.ss.read(r, now)
		var who auth.Principal
		if err == nil {
			who, err = principal(s.cfg.Tokens, ss)
		}
		if err != nil && s.cfg.Tokens == nil && r.Method == http.MethodGet {
			if ss, err = s.ss.issue(w, localName, now); err == nil {
				who, err = principal(nil, ss)
			}
		}
		if errors.Is(err, auth.ErrTokensFile) {
			s.fail(w, r, http.StatusServiceUnavailable, err)
			return
		}
		if err != nil {
			// A page goes to the login page; what a page's script fetches
			// (events, fragments) is told 401.
			if r.Method == http.MethodGet && r.URL.Path != "/ui/events" && !strings.HasSuffix(r.URL.Path, "/live") && r.URL.Path != "/ui/counts" {
				http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
				return
			}
			s.fail(w, r, http.StatusUnauthorized, ErrNoSession)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if err := s.ss.checkCSRF(r, ss); err != nil {
				s.fail(w, r, http.StatusForbidden, err)
				return
			}
		}
		h(w, &request{Request: r, ss: ss, who: who, lang: langOf(r)})
	})
}

// page is what every template gets.
type page struct {
	Lang, CSRF, Who, Path string
	Title                 string
	Open                  bool
	Data                  any
}

// render writes template name with data.
func (s *Server) render(w http.ResponseWriter, r *request, name string, data any) {
	var buf bytes.Buffer
	p := page{Lang: r.lang, CSRF: s.ss.csrf(r.ss), Who: r.who.Name, Path: r.URL.Path, Open: s.cfg.Tokens == nil, Data: data}
	if err := s.tpl.ExecuteTemplate(&buf, name, p); err != nil {
		s.cfg.Log.Error("dashboard: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

// fail answers an error as plain text: never the error of a lookup
// verbatim beyond its message, which holds no secret.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, err error) {
	if code >= 500 {
		s.cfg.Log.Warn("dashboard", "path", r.URL.Path, "err", err)
	}
	http.Error(w, http.StatusText(code)+": "+err.Error(), code)
}

// query reads the request's query, refusing parameters not in allowed,
// repeated ones and values that are not short printable UTF-8.
func query(r *http.Request, allowed ...string) (map[string]string, error) {
	q := r.URL.Query()
	out := map[string]string{}
	for k, vs := range q {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			return nil, &QueryError{Param: truncate(k, 40), Reason: "unknown"}
		}
		if len(vs) != 1 {
			return nil, &QueryError{Param: k, Reason: "given more than once"}
		}
		v := vs[0]
		if len(v) > 256 || !utf8.ValidString(v) || strings.ContainsFunc(v, func(c rune) bool { return c < ' ' || c == 0x7f }) {
			return nil, &QueryError{Param: k, Reason: "too long or not printable text"}
		}
		out[k] = v
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// funcs are the templates' helpers.
func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"t":      word,
		"status": func(st statusfsm.Status, lang string) string { return labels.In(st, lang) },
		"astana": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(envelope.Almaty()).Format("2006-01-02 15:04:05 -07:00")
		},
		"langs": func() []string { return langs },
		"add":   func(a, b int) int { return a + b },
		"with_title": func(p page, title string) page {
			p.Title = title
			return p
		},
	}
}

// setLang keeps the chosen language and goes back to the page it was
// chosen on (a path of the dashboard only).
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	known := false
	for _, l := range langs {
		known = known || l == lang
	}
	q, err := query(r, "back")
	if !known || err != nil {
		s.fail(w, r, http.StatusBadRequest, &QueryError{Param: "lang", Reason: "unknown language"})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/ui/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteStrictMode})
	back := q["back"]
	if !strings.HasPrefix(back, Prefix) || strings.ContainsAny(back, "\\") || strings.Contains(back, "//") {
		back = Prefix
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
