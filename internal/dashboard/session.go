package dashboard

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/salyq/salyq/internal/auth"
)

// sessionCookie is the name of the session cookie.
const sessionCookie = "salyq_session"

// localName is the principal of an open dashboard (no tokens file, loopback
// only): every taxpayer.
const localName = "local"

// session is what the signed cookie says: whose token, until when, and a
// nonce that ties the CSRF token to this login.
type session struct {
	Name    string
	Expires time.Time
	Nonce   string
}

// sessions signs and checks session cookies and CSRF tokens with a key
// drawn at start.
type sessions struct {
	key    []byte
	random io.Reader
	ttl    time.Duration
	secure bool
}

func newSessions(random io.Reader, ttl time.Duration, secure bool) (*sessions, error) {
	key := make([]byte, 32)
	if _, err := io.ReadFull(random, key); err != nil {
		return nil, fmt.Errorf("%w: session key: %w", ErrConfig, err)
	}
	return &sessions{key: key, random: random, ttl: ttl, secure: secure}, nil
}

func (s *sessions) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		// Length-prefixed, so that no two part lists sign alike.
		fmt.Fprintf(m, "%d:%s;", len(p), p)
	}
	return m.Sum(nil)
}

// issue sets a new session cookie for name on w.
func (s *sessions) issue(w http.ResponseWriter, name string, now time.Time) (session, error) {
	n := make([]byte, 16)
	if _, err := io.ReadFull(s.random, n); err != nil {
		return session{}, fmt.Errorf("dashboard: session nonce: %w", err)
	}
	ss := session{Name: name, Expires: now.Add(s.ttl), Nonce: hex.EncodeToString(n)}
	exp := strconv.FormatInt(ss.Expires.Unix(), 10)
	payload := url.PathEscape(ss.Name) + "|" + exp + "|" + ss.Nonce
	value := base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." +
		base64.RawURLEncoding.EncodeToString(s.mac("session", ss.Name, exp, ss.Nonce))
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: value, Path: "/ui/", Expires: ss.Expires,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	return ss, nil
}

// clear removes the session cookie.
func (s *sessions) clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/ui/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
}

// read returns the request's session, if its cookie is ours and current.
func (s *sessions) read(r *http.Request, now time.Time) (session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || len(c.Value) > 512 {
		return session{}, ErrNoSession
	}
	p64, m64, ok := strings.Cut(c.Value, ".")
	if !ok {
		return session{}, ErrNoSession
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	mac, err2 := base64.RawURLEncoding.DecodeString(m64)
	if err1 != nil || err2 != nil {
		return session{}, ErrNoSession
	}
	fields := strings.Split(string(payload), "|")
	if len(fields) != 3 {
		return session{}, ErrNoSession
	}
	name, err := url.PathUnescape(fields[0])
	if err != nil {
		return session{}, ErrNoSession
	}
	if !hmac.Equal(mac, s.mac("session", name, fields[1], fields[2])) {
		return session{}, ErrNoSession
	}
	exp, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil || !now.Before(time.Unix(exp, 0)) {
		return session{}, ErrNoSession
	}
	return session{Name: name, Expires: time.Unix(exp, 0), Nonce: fields[2]}, nil
}

// csrf is the CSRF token of a session: forms carry it, POSTs must.
func (s *sessions) csrf(ss session) string {
	return base64.RawURLEncoding.EncodeToString(s.mac("csrf", ss.Nonce))
}

// checkCSRF refuses a POST that is not from a page of this session: its
// token must match, and a browser's Origin, when sent, must be this host.
func (s *sessions) checkCSRF(r *http.Request, ss session) error {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return ErrCSRF
		}
	}
	got := r.PostFormValue("csrf")
	if got == "" || !hmac.Equal([]byte(got), []byte(s.csrf(ss))) {
		return ErrCSRF
	}
	return nil
}

// principal is who a session acts for: the token entry it names, looked
// up again (a revoked token ends its sessions), or every taxpayer on an
// open dashboard.
func principal(tokens *auth.Tokens, ss session) (auth.Principal, error) {
	if tokens == nil {
		return auth.Principal{Name: localName, All: true}, nil
	}
	p, err := tokens.Name(ss.Name)
	if err != nil {
		return auth.Principal{}, fmt.Errorf("%w: %w", ErrNoSession, err)
	}
	return p, nil
}
