package gateway

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"log/slog"
	"slices"
	"sync"

	"github.com/salyq/salyq/pkg/xmldsig"
)

// alarm logs each distinct cause of an untrusted or ambiguous answer once
// — at ERROR, or WARN for a lost answer or a proxy's error —, saying what
// to check, and its repeats at DEBUG. Without it a
// rotated gateway certificate looks like a gateway that never answers: the
// worker asks SONO_FNO_GET_STATUS again and again and nobody learns why.
//
// Causes of the channel (signature, transport) are forgotten when an
// answer verifies again, so that a relapse is reported; an unknown error
// code is reported once for the life of the process.
type alarm struct {
	log *slog.Logger

	mu sync.Mutex
	// channel holds the causes of untrusted answers and lost answers,
	// with how often each was seen; sticky the codes.
	channel map[string]int
	sticky  map[string]bool
}

func newAlarm(log *slog.Logger) *alarm {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &alarm{log: log, channel: map[string]int{}, sticky: map[string]bool{}}
}

// untrusted reports an answer whose signature failed (verr) or that was
// signed by a certificate not configured (verr nil); claimed is the
// certificate the answer names, if it could be read.
func (a *alarm) untrusted(claimed *x509.Certificate, configured []*x509.Certificate, verr error) {
	key := "untrusted"
	attrs := []any{}
	if claimed != nil {
		sum := sha256.Sum256(claimed.Raw)
		fp := hex.EncodeToString(sum[:])
		key += ":" + fp
		attrs = append(attrs, "signed_by", claimed.Subject.String(), "serial", claimed.SerialNumber.String(),
			"not_after", claimed.NotAfter.UTC(), "sha256", fp)
	}
	msg := "gateway answer signed by a certificate not in --gateway-cert: check --gateway-cert, the gateway may have rotated its certificate; until then every answer is ambiguous and forms wait"
	if verr != nil {
		var ce *xmldsig.CheckError
		if errors.As(verr, &ce) {
			key += ":" + ce.Check
		}
		attrs = append(attrs, "err", verr.Error())
		msg = "gateway answer signature does not verify: check --gateway-cert (the gateway may have rotated its certificate) and that no proxy between salyq and the gateway rewrites answers; until then every answer is ambiguous and forms wait"
		if claimed != nil && slices.ContainsFunc(configured, claimed.Equal) {
			msg = "gateway answer signature does not verify although it names the configured gateway certificate: check that no proxy between salyq and the gateway rewrites answers; until then every answer is ambiguous and forms wait"
		}
	}
	a.channelCause(context.Background(), slog.LevelError, key, msg, attrs...)
}

// ambiguous reports another outcome that leaves open whether the gateway
// took a request (op is the service asked).
func (a *alarm) ambiguous(ctx context.Context, op string, o Outcome) {
	if o.Code != "" {
		a.mu.Lock()
		seen := a.sticky[o.Code]
		a.sticky[o.Code] = true
		a.mu.Unlock()
		level := slog.LevelError
		if seen {
			level = slog.LevelDebug
		}
		a.log.Log(ctx, level, "gateway sent an error code salyq does not know: the request may have been processed, so it is asked about, never resent blindly; add the code to the classification table once its meaning is known",
			"service", op, "code", o.Code, "message", o.Reason)
		return
	}
	// A lost answer or a proxy's error is the network's weather: WARN. An
	// answer salyq cannot read is a protocol problem that will not pass
	// by itself: ERROR.
	level, hint := slog.LevelError, "the gateway's answer could not be read; check that --gateway points at the SyncChannel endpoint and what the gateway sends"
	switch {
	case errors.Is(o.Err, ErrHTTPStatus):
		level, hint = slog.LevelWarn, "a proxy in front of the gateway answered with an error; check the proxy and the VPN"
	case o.Reason == reasonNoAnswer || o.Reason == reasonCutOff:
		level, hint = slog.LevelWarn, "the gateway may have taken the request without answering; check the network path and --timeout"
	}
	attrs := []any{"service", op, "cause", o.Reason}
	if o.Err != nil {
		attrs = append(attrs, "err", o.Err.Error())
	}
	a.channelCause(ctx, level, "ambiguous:"+op+":"+o.Reason, "gateway answer ambiguous: "+hint, attrs...)
}

// channelCause logs key at level the first time since the last trusted
// answer, at DEBUG after.
func (a *alarm) channelCause(ctx context.Context, level slog.Level, key, msg string, attrs ...any) {
	a.mu.Lock()
	n := a.channel[key]
	a.channel[key] = n + 1
	a.mu.Unlock()
	if n == 0 {
		a.log.Log(ctx, level, msg, append(attrs, "note", "repeats are logged at DEBUG until an answer verifies")...)
		return
	}
	a.log.DebugContext(ctx, msg, append(attrs, "repeat", n)...)
}

// trusted records an answer that verified: channel causes are over.
func (a *alarm) trusted() {
	a.mu.Lock()
	n := len(a.channel)
	if n > 0 {
		a.channel = map[string]int{}
	}
	a.mu.Unlock()
	if n > 0 {
		a.log.Info("gateway answers verify again", "causes_cleared", n)
	}
}
