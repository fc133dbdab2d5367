package sonosim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// send serves SONO_FNO_SEND: verify the taxpayer's form, check it against
// its template, apply the duplicate rule, file it.
func (s *Server) send(ctx context.Context, req *envelope.Request, d draws, now time.Time) *answer {
	if req.Data == nil {
		return s.receiptRefusal(ctx, req, envelope.CodeInvalidForm, "requestData/data holds no fno document")
	}
	sf, err := envelope.FormFromElement(req.Data, envelope.VerifyOptions{Now: now, AllowTestIdentities: s.cfg.AllowTestIdentities})
	if err == nil {
		err = s.checkSignerChain(ctx, sf.Certificate, now)
	}
	if err != nil {
		return s.receiptRefusal(ctx, req, formRefusalCode(err), err.Error())
	}
	form := sf.Form
	if _, ok := s.templates.Lookup(form.Code, form.Version); !ok {
		return s.receiptRefusal(ctx, req, envelope.CodeUnknownForm,
			fmt.Sprintf("no template for form %s version %s", form.Code, form.Version))
	}
	if err := s.templates.Check(form); err != nil {
		code := envelope.CodeInvalidForm
		if errors.Is(err, envelope.ErrUnknownTemplate) {
			// The version exists (looked up above): its window misses the period.
			code = envelope.CodePeriodOutsideTemplate
		}
		return s.receiptRefusal(ctx, req, code, err.Error())
	}
	digest := formDigest(form)
	f := &Filing{
		RequestID: s.cfg.NewID(),
		MessageID: req.Info.MessageID,
		Taxpayer:  form.Taxpayer,
		Code:      form.Code,
		Version:   form.Version,
		Period:    form.Period,
		Kind:      form.Kind,
		Digest:    digest,
		FiledAt:   now,
	}
	f.sc = pickScenario(s.cfg.Seed, f.RequestID, s.cfg.Weights)
	f.Scenario = f.sc.outcome
	if prev, ok := s.store.add(f, now, s.cfg.StatusStep); !ok {
		return s.receiptRefusal(ctx, req, envelope.CodeDuplicate,
			fmt.Sprintf("form %s (%s) of taxpayer %s for %s is already filed as request %s",
				form.Code, form.Kind, form.Taxpayer, form.Period, prev.RequestID))
	}
	s.stats.accepted(f)
	if hit(d.drop, s.cfg.Faults.DropAfterAcceptRate) {
		s.stats.fault(faultDrop)
		return &answer{drop: true, code: faultDrop}
	}
	return s.business(ctx, req, (&envelope.Receipt{RequestID: f.RequestID}).Element(), "")
}

// formRefusalCode classifies a refused taxpayer signature or form. A
// signer who is not the taxpayer is a subject mismatch; every other key
// problem (AUTH-only, expired, unreadable identity, not chaining to the
// trust anchors, revoked) and every signature problem is FORM_SIGNATURE: either way the remedy is to sign again with
// the taxpayer's valid SIGN key.
func formRefusalCode(err error) string {
	var ke *envelope.KeyError
	if errors.As(err, &ke) {
		if ke.Check == "subject" {
			return envelope.CodeSubjectMismatch
		}
		return envelope.CodeFormSignature
	}
	var ce *xmldsig.CheckError
	if errors.As(err, &ce) {
		return envelope.CodeFormSignature
	}
	return envelope.CodeInvalidForm
}

func (s *Server) receiptRefusal(ctx context.Context, req *envelope.Request, code, msg string) *answer {
	s.stats.refusal(code)
	r := &envelope.Receipt{Error: &envelope.SONOError{Code: code, Message: msg}}
	return s.business(ctx, req, r.Element(), code)
}

// formDigest hashes what the form says: code, version and every field
// value, in name order. The same content signed twice (or by a renewed
// key, or serialized differently) is the same form; hashing the values is
// also far cheaper than canonicalizing a 20 KB document once more.
func formDigest(f *envelope.Form) string {
	names := f.FieldNames()
	slices.Sort(names)
	h := sha256.New()
	// Length-prefixed, so that no two field lists hash alike by
	// concatenation.
	put := func(v string) { fmt.Fprintf(h, "%d:%s;", len(v), v) }
	put(f.Code)
	put(f.Version)
	for _, n := range names {
		v, _ := f.Field(n)
		put(n)
		put(v)
	}
	return hex.EncodeToString(h.Sum(nil))
}
