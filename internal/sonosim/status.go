package sonosim

import (
	"context"
	"errors"
	"time"

	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
)

// status serves SONO_FNO_GET_STATUS: a status request signed by the
// form's taxpayer, by requestId or by the messageId of the send.
func (s *Server) status(ctx context.Context, req *envelope.Request, now time.Time) *answer {
	if req.Data == nil {
		return s.refuse(ctx, envelope.FaultRequest, "request error: requestData/data holds no fnoStatusRequest")
	}
	sr, cert, err := envelope.VerifyStatusRequest(req.Data)
	if err != nil {
		if errors.Is(err, envelope.ErrInvalidEnvelope) || errors.Is(err, envelope.ErrMalformedXML) {
			return s.refuse(ctx, envelope.FaultRequest, "request error: "+err.Error())
		}
		return s.statusRefusal(ctx, req, envelope.CodeFormSignature, err.Error())
	}
	id, err := ncakey.ParseIdentity(cert, s.cfg.AllowTestIdentities)
	if err == nil {
		err = id.CheckCanSign()
	}
	if err == nil {
		err = id.CheckValidAt(now)
	}
	if err == nil {
		err = s.checkChain(ctx, cert, now)
	}
	if err != nil {
		return s.statusRefusal(ctx, req, envelope.CodeFormSignature, "status request signer: "+err.Error())
	}
	var f *Filing
	var ok bool
	if sr.RequestID != "" {
		f, ok = s.store.byRequestID(sr.RequestID)
	} else {
		f, ok = s.store.byMessageID(sr.MessageID, now, s.cfg.HandoffDelay)
	}
	if !ok {
		what := "request " + sr.RequestID
		if sr.RequestID == "" {
			what = "message " + sr.MessageID
		}
		return s.statusRefusal(ctx, req, envelope.CodeNotFound, "no form for "+what)
	}
	if id.TaxpayerID() != f.Taxpayer {
		return s.statusRefusal(ctx, req, envelope.CodeAccessDenied,
			"the status request is signed by "+id.TaxpayerID()+", not by the form's taxpayer")
	}
	resp := &envelope.StatusResponse{
		RequestID:          f.RequestID,
		RegistrationNumber: f.registrationNumber(now, s.cfg.StatusStep),
		History:            f.sc.history(f.FiledAt, now, s.cfg.StatusStep),
		Notices:            f.sc.issued(f.FiledAt, now, s.cfg.StatusStep),
	}
	return s.business(ctx, req, resp.Element(), "")
}

func (s *Server) statusRefusal(ctx context.Context, req *envelope.Request, code, msg string) *answer {
	s.stats.refusal(code)
	r := &envelope.StatusResponse{Error: &envelope.SONOError{Code: code, Message: msg}}
	return s.business(ctx, req, r.Element(), code)
}
