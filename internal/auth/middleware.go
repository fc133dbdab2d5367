package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// Refusal is the JSON body of a 401, 403 or 503 from the API's access
// check; it has the fields of intake.Refusal.
type Refusal struct {
	Error  string `json:"error"`
	Reason string `json:"reason,omitempty"`
}

// Middleware lets a request through to next only with a principal in its
// context: from an `Authorization: Bearer` token, or — when there is
// none — from a client certificate the TLS layer verified (the server
// asks for one only with --tls-client-ca). A bearer token that fails is
// refused even with a good certificate: a client sending one means it.
func (t *Tokens) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := t.authenticate(r)
		if err != nil {
			if errors.Is(err, ErrTokensFile) {
				// Not the client's fault; the reason stays in the server's
				// domain (no path in the body).
				WriteRefusal(w, http.StatusServiceUnavailable, Refusal{Error: "authentication unavailable", Reason: "tokens file unusable"})
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="salyq"`)
			WriteRefusal(w, http.StatusUnauthorized, Refusal{Error: "unauthorized", Reason: err.Error()})
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

func (t *Tokens) authenticate(r *http.Request) (Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return Principal{}, ErrNoCredentials
		}
		return t.Token(strings.TrimSpace(tok))
	}
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		return t.Name(r.TLS.VerifiedChains[0][0].Subject.CommonName)
	}
	return Principal{}, ErrNoCredentials
}

// WriteRefusal writes ref as JSON with code.
func WriteRefusal(w http.ResponseWriter, code int, ref Refusal) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(ref)
}
