package envelope

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/crypto/gost341194"
	"github.com/salyq/salyq/pkg/xmldsig"
)

func encodeResponse(t testing.TB, resp *Response) []byte {
	t.Helper()
	c := &Codec{Clock: fixedClock, NewID: seqIDs(), Signer: mustKeys(t).set.InfoSystem.Signer()}
	out, err := c.EncodeResponse(ctx, resp)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func decodeResponse(t testing.TB, data []byte) *Response {
	t.Helper()
	msg, err := ReadMessage(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := msg.Verify(); err != nil {
		t.Fatal(err)
	}
	resp, err := msg.Response()
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestReceiptRoundTrip(t *testing.T) {
	for _, r := range []*Receipt{
		{RequestID: "req-42"},
		{Error: &SONOError{Code: CodeDuplicate, Message: "already filed as req-41"}},
	} {
		out := encodeResponse(t, &Response{
			Info: ResponseInfo{CorrelationID: "m-1", Status: Status{Code: "SCSS001", Message: "ok"}},
			Data: r.Element(),
		})
		resp := decodeResponse(t, out)
		if resp.Info.Status.Code != "SCSS001" || resp.Info.CorrelationID != "m-1" {
			t.Fatalf("info %+v", resp.Info)
		}
		got, err := ParseReceipt(resp.Data)
		if err != nil {
			t.Fatal(err)
		}
		if got.RequestID != r.RequestID || (got.Error == nil) != (r.Error == nil) || (r.Error != nil && *got.Error != *r.Error) {
			t.Fatalf("got %+v, want %+v", got, r)
		}
	}
}

func TestStatusRoundTrip(t *testing.T) {
	k := mustKeys(t)
	sr, err := SignStatusRequest(ctx, &StatusRequest{MessageID: "m-7"}, k.set.IndividualSign.Signer())
	if err != nil {
		t.Fatal(err)
	}
	got, cert, err := VerifyStatusRequest(sr)
	if err != nil || got.MessageID != "m-7" || got.RequestID != "" {
		t.Fatalf("status request: %+v %v", got, err)
	}
	if !bytes.Equal(cert.Raw, k.set.IndividualSign.Certificate().Raw) {
		t.Fatal("wrong certificate")
	}
	sr.FindElement("messageId").SetText("m-8")
	if _, _, err := VerifyStatusRequest(sr); !errors.Is(err, xmldsig.ErrDigestMismatch) {
		t.Fatalf("tampered status request: %v", err)
	}

	want := &StatusResponse{
		RequestID:          "req-42",
		RegistrationNumber: "600100-910-2025-0001",
		History: []HistoryEntry{
			{Status: "Отправлена", Date: testNow},
			{Status: "Принята, но не разобрана", Date: testNow.Add(time.Minute)},
			{Status: "Не принята", Date: testNow.Add(2 * time.Minute), Message: "ошибка в строке 910.00.001"},
		},
	}
	resp := decodeResponse(t, encodeResponse(t, &Response{Info: ResponseInfo{Status: Status{Code: "SCSS001"}}, Data: want.Element()}))
	got2, err := ParseStatusResponse(resp.Data)
	if err != nil {
		t.Fatal(err)
	}
	if got2.RequestID != want.RequestID || got2.RegistrationNumber != want.RegistrationNumber || len(got2.History) != 3 {
		t.Fatalf("got %+v", got2)
	}
	for i := range want.History {
		g, w := got2.History[i], want.History[i]
		if g.Status != w.Status || !g.Date.Equal(w.Date) || g.Message != w.Message {
			t.Fatalf("history[%d] = %+v, want %+v", i, g, w)
		}
	}

	nf := decodeResponse(t, encodeResponse(t, &Response{Info: ResponseInfo{Status: Status{Code: "SCSS001"}},
		Data: (&StatusResponse{Error: &SONOError{Code: CodeNotFound, Message: "no such message"}}).Element()}))
	got3, err := ParseStatusResponse(nf.Data)
	if err != nil || got3.Error == nil || got3.Error.Code != CodeNotFound {
		t.Fatalf("NOT_FOUND: %+v %v", got3, err)
	}
}

func TestFaultRoundTrip(t *testing.T) {
	c := &Codec{Clock: fixedClock, NewID: seqIDs()}
	out, err := c.EncodeFault(ctx, "soap:Server", "technical error", &ErrorInfo{
		Code: "99999", Message: "try later",
		Sub: &ErrorInfo{Code: "SUB1", Message: "database unavailable"},
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "fault.xml", out)
	msg, err := ReadMessage(out)
	if err != nil {
		t.Fatal(err)
	}
	_, err = msg.Response()
	var fe *FaultError
	if !errors.Is(err, ErrFault) || !errors.As(err, &fe) {
		t.Fatalf("got %v, want a FaultError", err)
	}
	if got := fe.Info.Codes(); len(got) != 2 || got[0] != "99999" || got[1] != "SUB1" || !fe.Info.Date.Equal(testNow) {
		t.Fatalf("fault info %+v codes %v", fe.Info, got)
	}
}

func TestParseResponseRefuses(t *testing.T) {
	good := string(encodeResponse(t, &Response{Info: ResponseInfo{Status: Status{Code: "SCSS001"}}, Data: (&Receipt{RequestID: "r"}).Element()}))
	for name, doc := range map[string]string{
		"not soap":  `<Envelope/>`,
		"no body":   `<soap:Envelope xmlns:soap="` + NamespaceSOAP + `"/>`,
		"two kids":  `<soap:Envelope xmlns:soap="` + NamespaceSOAP + `"><soap:Body><a/><b/></soap:Body></soap:Envelope>`,
		"no status": good[:bytes.Index([]byte(good), []byte("<status>"))] + good[bytes.Index([]byte(good), []byte("</status>"))+9:],
	} {
		t.Run(name, func(t *testing.T) {
			msg, err := ReadMessage([]byte(doc))
			if err == nil {
				_, err = msg.Response()
			}
			if !errors.Is(err, ErrInvalidEnvelope) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// TestOperatorSampleDigest checks the canonical Body against the
// operator's DigestValue with GOST R 34.11-94.
func TestOperatorSampleDigest(t *testing.T) {
	for _, name := range []string{"nit-shep-request-gost2004.xml", "nit-shep-response-gost2004.xml"} {
		raw, err := os.ReadFile(filepath.Join(testenv.Path(t, "testdata", "nca", "signed"), name))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := ReadMessage(raw)
		if err != nil {
			t.Fatal(err)
		}
		canon, err := xmldsig.Canonicalize(msg.body, xmldsig.ExcC14N)
		if err != nil {
			t.Fatal(err)
		}
		sum := gost341194.Sum(canon)
		want := xmldsig.FindSignatures(msg.header)[0].FindElement("SignedInfo/Reference/DigestValue").Text()
		if got := base64.StdEncoding.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: digest %s, want %s", name, got, want)
		}
		if _, err := msg.Verify(); err != nil {
			t.Errorf("%s: signature: %v", name, err)
		}
	}
}
