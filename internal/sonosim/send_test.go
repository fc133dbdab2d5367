package sonosim_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/envelope"
)

func TestSendAccepted(t *testing.T) {
	s := newSim(t, nil)
	form := s.k.individualForm(t, envelope.KindRegular)
	r, msgID := s.send(form)
	if r.status != http.StatusOK || r.receipt == nil || r.receipt.RequestID == "" || r.receipt.Error != nil {
		t.Fatalf("status %d receipt %+v\n%s", r.status, r.receipt, r.body)
	}
	if r.resp.Info.Status.Code != sonosim.DefaultSuccessCode || r.resp.Info.CorrelationID != msgID {
		t.Errorf("responseInfo %+v, want SCSS001 correlating %s", r.resp.Info, msgID)
	}
	fs := s.srv.Filings()
	if len(fs) != 1 {
		t.Fatalf("%d filings", len(fs))
	}
	f := fs[0]
	if f.RequestID != r.receipt.RequestID || f.MessageID != msgID || f.Taxpayer != s.k.iin() || f.Code != "910.00" ||
		f.Version != "27" || f.Period.String() != "2025-H1" || f.Kind != envelope.KindRegular || len(f.Digest) != 64 || !f.FiledAt.Equal(testNow) {
		t.Errorf("filing %+v", f)
	}
	st := s.srv.Stats()
	if st.FilingsAccepted != 1 || st.Requests[envelope.ServiceSend] != 1 || st.DuplicateFilings != 0 || len(st.Refusals) != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestGatewayRefusals: what the gateway refuses before SONO sees it, as
// SOAP faults.
func TestGatewayRefusals(t *testing.T) {
	s := newSim(t, func(c *sonosim.Config) { c.MaxBodyBytes = 64 << 10 })
	k := s.k
	form := element(t, k.individualForm(t, envelope.KindRegular))
	good, _ := s.encode(envelope.ServiceSend, form, k.transport.Signer())
	bySigner := func(service string, which string) []byte {
		var body []byte
		switch which {
		case "none":
			body, _ = s.encode(service, form, nil)
		case "auth":
			body, _ = s.encode(service, form, k.transportAuth.Signer())
		case "expired":
			body, _ = s.encode(service, form, k.transportExpired.Signer())
		case "untrusted":
			body, _ = s.encode(service, form, k.transportUntrusted.Signer())
		case "taxpayer-auth":
			body, _ = s.encode(service, form, k.set.IndividualAuth.Signer())
		default:
			body, _ = s.encode(service, form, k.transport.Signer())
		}
		return body
	}
	doctype := []byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>&a;</soap:Body></soap:Envelope>`)
	big := append(bytes.Clone(good[:len(good)-len("</soap:Envelope>")]), []byte("<!--"+strings.Repeat("x", 70<<10)+"-->")...)
	for _, tc := range []struct {
		name        string
		body        []byte
		contentType string
		status      int
		code        string
	}{
		{"not XML", []byte("hello"), "", 500, envelope.FaultRequest},
		{"DOCTYPE", doctype, "", 500, envelope.FaultRequest},
		{"no serviceId", bytes.Replace(good, []byte("<serviceId>SONO_FNO_SEND</serviceId>"), nil, 1), "", 500, envelope.FaultRequest},
		{"qualified child", bytes.Replace(good, []byte("<messageId>"), []byte(`<messageId xmlns="urn:x">`), 1), "", 500, envelope.FaultRequest},
		{"not SendMessage", bytes.ReplaceAll(good, []byte("sc:SendMessage"), []byte("sc:Other")), "", 500, envelope.FaultRequest},
		{"SOAP 1.2 content type", good, "application/soap+xml", 500, envelope.FaultRequest},
		{"unsigned", bySigner(envelope.ServiceSend, "none"), "", 500, envelope.FaultSignature},
		{"body changed after signing", bytes.Replace(good, []byte("<senderId>salyq</senderId>"), []byte("<senderId>other</senderId>"), 1), "", 500, envelope.FaultSignature},
		{"AUTH transport certificate", bySigner(envelope.ServiceSend, "auth"), "", 500, envelope.FaultCertificate},
		{"taxpayer AUTH key as transport", bySigner(envelope.ServiceSend, "taxpayer-auth"), "", 500, envelope.FaultCertificate},
		{"expired transport certificate", bySigner(envelope.ServiceSend, "expired"), "", 500, envelope.FaultCertificate},
		{"untrusted transport certificate", bySigner(envelope.ServiceSend, "untrusted"), "", 500, envelope.FaultCertificate},
		{"unknown service", bySigner("SONO_FNO_DELETE", "good"), "", 500, envelope.FaultUnknownService},
		{"oversized body", big, "", 413, envelope.FaultTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.contentType
			if ct == "" {
				ct = "text/xml; charset=utf-8"
			}
			r := s.post(tc.body, ct)
			if r.status != tc.status || r.fault == nil || errCode(r) != tc.code {
				t.Fatalf("status %d code %q, want %d %s\n%.600s", r.status, errCode(r), tc.status, tc.code, r.body)
			}
		})
	}
	if n := len(s.srv.Filings()); n != 0 {
		t.Errorf("%d filings after refusals", n)
	}
	if st := s.srv.Stats(); st.Refusals[envelope.FaultCertificate] != 4 || st.Refusals[envelope.FaultTooLarge] != 1 {
		t.Errorf("refusals %v", st.Refusals)
	}
}

// TestSendRefusals: what SONO refuses, in the receipt's errorInfo.
func TestSendRefusals(t *testing.T) {
	s := newSim(t, nil)
	k := s.k
	iin := k.iin()
	good := k.individualForm(t, envelope.KindRegular)
	for _, tc := range []struct {
		name string
		form []byte
		code string
	}{
		{"tampered form", bytes.Replace(good, []byte(">1500000<"), []byte(">1500001<"), 1), envelope.CodeFormSignature},
		{"unsigned form", envelope.BuildForm("910.00", "27", sheets(iin, "2025", envelope.KindRegular)), envelope.CodeFormSignature},
		{"signed by another taxpayer", rawSigned(t, k.set.HeadSign.Signer(), sheets(iin, "2025", envelope.KindRegular)), envelope.CodeSubjectMismatch},
		{"taxpayer AUTH key", rawSigned(t, k.set.IndividualAuth.Signer(), sheets(iin, "2025", envelope.KindRegular)), envelope.CodeFormSignature},
		{"expired taxpayer key", rawSigned(t, k.set.ExpiredSign.Signer(), sheets(iin, "2025", envelope.KindRegular)), envelope.CodeFormSignature},
		{"unknown form version", signedForm(t, k.set.IndividualSign.Signer(), "99", sheets(iin, "2025", envelope.KindRegular)), envelope.CodeUnknownForm},
		{"period outside the template window", signedForm(t, k.set.IndividualSign.Signer(), "27", sheets(iin, "2022", envelope.KindRegular)), envelope.CodePeriodOutsideTemplate},
		{"field not in the template", signedForm(t, k.set.IndividualSign.Signer(), "27", sheets(iin, "2025", envelope.KindRegular, envelope.FieldValue{Name: "no_such_field", Value: "1"})), envelope.CodeInvalidForm},
		{"field too long", signedForm(t, k.set.IndividualSign.Signer(), "27", sheets(iin, "2025", envelope.KindRegular, envelope.FieldValue{Name: "field_910_00_003", Value: "12345"})), envelope.CodeInvalidForm},
		{"no form kind", rawSigned(t, k.set.IndividualSign.Signer(), sheets(iin, "2025", "dt_none")), envelope.CodeInvalidForm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := s.send(tc.form)
			if r.status != http.StatusOK || errCode(r) != tc.code || r.receipt.RequestID != "" {
				t.Fatalf("status %d code %q, want 200 %s\n%.800s", r.status, errCode(r), tc.code, r.body)
			}
			if r.resp.Info.Status.Code != sonosim.DefaultSuccessCode {
				t.Errorf("business refusal with status %q", r.resp.Info.Status.Code)
			}
		})
	}
	t.Run("no data", func(t *testing.T) {
		body, _ := s.encode(envelope.ServiceSend, nil, k.transport.Signer())
		if r := s.postXML(body); errCode(r) != envelope.CodeInvalidForm {
			t.Fatalf("code %q", errCode(r))
		}
	})
	if n := len(s.srv.Filings()); n != 0 {
		t.Errorf("%d filings after refusals", n)
	}
}

func TestDuplicateRule(t *testing.T) {
	s := newSim(t, nil)
	k := s.k
	first, _ := s.accept(k.individualForm(t, envelope.KindRegular))

	// Another regular or a first form of the same period: refused, naming
	// the live filing, whatever the content.
	for _, f := range [][]byte{
		k.individualForm(t, envelope.KindRegular, envelope.FieldValue{Name: "field_910_00_002", Value: "7"}),
		k.individualForm(t, envelope.KindMain),
	} {
		r, _ := s.send(f)
		if errCode(r) != envelope.CodeDuplicate || !strings.Contains(r.receipt.Error.Message, first) {
			t.Fatalf("second regular: %q %+v", errCode(r), r.receipt.Error)
		}
	}
	// The same message sent twice is not deduplicated by messageId: the
	// resend is judged like any form, here a duplicate.
	body, _ := s.encode(envelope.ServiceSend, element(t, k.individualForm(t, envelope.KindRegular)), k.transport.Signer())
	if r := s.postXML(body); errCode(r) != envelope.CodeDuplicate {
		t.Fatalf("resend: %q", errCode(r))
	}
	// Another period is its own slot.
	s.accept(signedForm(t, k.set.IndividualSign.Signer(), "27", sheets(k.iin(), "2024", envelope.KindRegular)))
	// Additional forms are separate filings, even the same one twice.
	add := k.individualForm(t, envelope.KindAdditional)
	a1, _ := s.accept(add)
	a2, _ := s.accept(add)
	if a1 == a2 {
		t.Fatal("two filings share a request id")
	}
	st := s.srv.Stats()
	key := k.iin() + "/910.00/2025-H1/dt_additional"
	if st.FilingsAccepted != 4 || st.DuplicateFilings != 1 || st.RepeatedFilings[key] != 2 || len(st.RepeatedFilings) != 1 {
		t.Errorf("stats %+v", st)
	}
	if st.Refusals[envelope.CodeDuplicate] != 3 {
		t.Errorf("refusals %v", st.Refusals)
	}
}

// TestRejectedFreesSlot: once the earlier filing is «Не принята», a new
// regular form of the period is accepted.
func TestRejectedFreesSlot(t *testing.T) {
	s := newSim(t, func(c *sonosim.Config) {
		c.Weights = sonosim.Weights{Rejected: 1}
		c.StatusStep = time.Minute
	})
	s.accept(s.k.individualForm(t, envelope.KindRegular))
	second := s.k.individualForm(t, envelope.KindRegular, envelope.FieldValue{Name: "field_910_00_002", Value: "9"})
	if r, _ := s.send(second); errCode(r) != envelope.CodeDuplicate {
		t.Fatalf("while live: %q", errCode(r))
	}
	s.clock.Add(4 * time.Minute)
	s.accept(second)
}
