package gateway_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/ids"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/envelope"
)

// records is a slog handler that keeps every record.
type records struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec.Clone())
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

// at returns the records of level.
func (r *records) at(level slog.Level) []slog.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []slog.Record
	for _, rec := range r.recs {
		if rec.Level == level {
			out = append(out, rec)
		}
	}
	return out
}

func attr(rec slog.Record, key string) string {
	v := ""
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value.String()
			return false
		}
		return true
	})
	return v
}

// TestUntrustedAnswerLoggedOnce: answers signed by a certificate the
// client was not given (a rotated gateway certificate) are reported once
// at ERROR naming the signer and --gateway-cert, then at DEBUG.
func TestUntrustedAnswerLoggedOnce(t *testing.T) {
	s := newSim(t, sonosim.Faults{}, nil)
	rec := &records{}
	k := mustKeys(t)
	c := client(t, s.url, func(c *gateway.Config) {
		c.GatewayCerts[0] = k.rogue.Certificate()
		c.Log = slog.New(rec)
	})
	const n = 5
	for range n {
		if o := c.Send(ctx, ids.UUID(), form(t, envelope.KindAdditional, 1)); o.Class != gateway.Ambiguous {
			t.Fatalf("outcome %v, want ambiguous", o)
		}
	}
	errs := rec.at(slog.LevelError)
	if len(errs) != 1 {
		t.Fatalf("%d ERROR lines for %d answers of one cause, want 1", len(errs), n)
	}
	e := errs[0]
	if !strings.Contains(e.Message, "--gateway-cert") || !strings.Contains(e.Message, "rotated") {
		t.Errorf("ERROR line does not say what to check: %q", e.Message)
	}
	gw := k.gateway.Certificate()
	if got := attr(e, "signed_by"); got != gw.Subject.String() {
		t.Errorf("signed_by %q, want the answer's signer %q", got, gw.Subject.String())
	}
	if got := attr(e, "serial"); got != gw.SerialNumber.String() {
		t.Errorf("serial %q, want %s", got, gw.SerialNumber)
	}
	if attr(e, "not_after") == "" || attr(e, "sha256") == "" {
		t.Errorf("ERROR line lacks not_after or sha256")
	}
	if got := len(rec.at(slog.LevelDebug)); got != n-1 {
		t.Errorf("%d DEBUG repeats, want %d", got, n-1)
	}
}

// TestBrokenSignatureLoggedOnce: answers altered on the way (signature no
// longer verifies) are one ERROR too.
func TestBrokenSignatureLoggedOnce(t *testing.T) {
	s := newSim(t, sonosim.Faults{}, nil)
	target, _ := url.Parse(s.hs.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		r.Body.Close()
		// Change one character of the signed Body.
		b = bytes.Replace(b, []byte("SCSS001"), []byte("SCSS00l"), 1)
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Del("Content-Length")
		return nil
	}
	hs := httptest.NewServer(proxy)
	t.Cleanup(hs.Close)
	rec := &records{}
	c := client(t, hs.URL+"/bip-sync-wss-gost/", func(c *gateway.Config) { c.Log = slog.New(rec) })
	for range 3 {
		if o := c.Send(ctx, ids.UUID(), form(t, envelope.KindAdditional, 1)); o.Class != gateway.Ambiguous {
			t.Fatalf("outcome %v, want ambiguous", o)
		}
	}
	errs := rec.at(slog.LevelError)
	if len(errs) != 1 {
		t.Fatalf("%d ERROR lines, want 1", len(errs))
	}
	if !strings.Contains(errs[0].Message, "does not verify") || attr(errs[0], "err") == "" {
		t.Errorf("ERROR line %q (err %q) does not say the signature failed", errs[0].Message, attr(errs[0], "err"))
	}
}

// TestAmbiguousLoggedOnceUntilAnswer: a proxy answering 502 is reported
// once at WARN; after a good answer a relapse is reported again.
func TestAmbiguousLoggedOnceUntilAnswer(t *testing.T) {
	s := newSim(t, sonosim.Faults{}, nil)
	target, _ := url.Parse(s.hs.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var broken atomic.Bool
	broken.Store(true)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() {
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	rec := &records{}
	c := client(t, hs.URL+"/bip-sync-wss-gost/", func(c *gateway.Config) { c.Log = slog.New(rec) })
	q := envelope.StatusRequest{MessageID: ids.UUID()}
	for range 4 {
		if o := c.Status(ctx, q, mustKeys(t).taxpayer.Signer()); o.Class != gateway.Ambiguous {
			t.Fatalf("outcome %v, want ambiguous", o)
		}
	}
	if got := len(rec.at(slog.LevelWarn)); got != 1 {
		t.Fatalf("%d WARN lines for one cause, want 1", got)
	}
	broken.Store(false)
	if o := c.Status(ctx, q, mustKeys(t).taxpayer.Signer()); o.Class != gateway.Success {
		t.Fatalf("through the proxy: %v", o)
	}
	if got := len(rec.at(slog.LevelInfo)); got != 1 {
		t.Errorf("%d INFO lines after recovery, want 1", got)
	}
	broken.Store(true)
	c.Status(ctx, q, mustKeys(t).taxpayer.Signer())
	if got := len(rec.at(slog.LevelWarn)); got != 2 {
		t.Errorf("%d WARN lines after a relapse, want 2", got)
	}
}
