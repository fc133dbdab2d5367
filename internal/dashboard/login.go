package dashboard

import (
	"errors"
	"net/http"
	"strings"

	"github.com/salyq/salyq/internal/auth"
)

// loginPage shows the token form; an open dashboard needs none.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Tokens == nil {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	s.render(w, &request{Request: r, lang: langOf(r)}, "login", map[string]bool{"Bad": r.URL.Query().Has("bad")})
}

// login checks the token and starts a session on its entry's name. The
// token itself is not kept.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Tokens == nil {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	if o := r.Header.Get("Origin"); o != "" && !strings.HasSuffix(o, "://"+r.Host) {
		s.fail(w, r, http.StatusForbidden, ErrCSRF)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	tok := strings.TrimSpace(r.PostFormValue("token"))
	p, err := s.cfg.Tokens.Token(tok)
	if errors.Is(err, auth.ErrTokensFile) {
		s.fail(w, r, http.StatusServiceUnavailable, err)
		return
	}
	if err != nil {
		// Which way it failed (unknown, revoked) is not told: the log
		// has it without the token.
		s.cfg.Log.Info("dashboard: login refused", "reason", err.Error())
		http.Redirect(w, r, "/ui/login?bad=1", http.StatusSeeOther)
		return
	}
	if _, err := s.ss.issue(w, p.Name, s.cfg.Clock()); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	s.cfg.Log.Info("dashboard: login", "token", p.Name)
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

// logout ends the browser's session.
func (s *Server) logout(w http.ResponseWriter, r *request) {
	s.ss.clear(w)
	http.Redirect(w, r.Request, "/ui/login", http.StatusSeeOther)
}
