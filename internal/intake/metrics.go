package intake

import (
	"errors"

	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// Metrics is what the intake reports to (internal/metrics).
type Metrics interface {
	// FormReceived: a form was handed in (file, stdin, HTTP).
	FormReceived()
	// FormRefused: it was not enqueued as a new submission; reason is
	// one of RefusalReason's.
	FormRefused(reason string)
}

// RefusalReason sorts a refusal into a closed set of reasons, for a
// metric label that cannot grow with what clients send: size, publish,
// certificate, key, signature, document, field, other.
func RefusalReason(err error) string {
	var fe *envelope.FieldError
	var ke *envelope.KeyError
	var ce *xmldsig.CheckError
	var nk *ncakey.NoKeyError
	var kc *KeyCheckError
	switch {
	case errors.Is(err, ErrTooLarge):
		return "size"
	case errors.Is(err, ErrPublish):
		return "publish"
	case errors.As(err, &kc):
		return "certificate"
	case errors.As(err, &nk):
		return "key"
	case errors.As(err, &ke), errors.As(err, &ce):
		return "signature"
	case errors.As(err, &fe) && fe.Field == "document":
		return "document"
	case errors.As(err, &fe):
		return "field"
	}
	return "other"
}

// observe counts one form handed in and, unless it became a new
// submission, why not.
func (in *Intake) observe(res Result, err error) {
	m := in.cfg.Metrics
	if m == nil {
		return
	}
	m.FormReceived()
	switch {
	case err != nil:
		m.FormRefused(RefusalReason(err))
	case res.Duplicate:
		m.FormRefused("duplicate")
	}
}
