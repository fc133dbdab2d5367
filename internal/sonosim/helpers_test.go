package sonosim_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/xmldsig"
)

var ctx = context.Background()

// testNow is inside the keys' validity, after the move to UTC+5, and at
// 15:00 in Almaty: outside the night break.
var testNow = time.Date(2025, 7, 15, 10, 0, 0, 0, time.UTC)

type testKeys struct {
	pki *ncatest.PKI
	set *ncatest.Set
	// gateway signs the sandbox's answers.
	gateway *ncatest.Issued
	// transport keys of senders: good, AUTH-only, expired, and one from
	// another PKI the sandbox does not trust.
	transport, transportAuth, transportExpired, transportUntrusted *ncatest.Issued
}

// mustKeys hands out the package's keys, made once; RSA key generation is the
// slow part, so variants reuse one private key.
var mustKeys = testenv.Lazy(func() (*testKeys, error) {
	pki, err := ncatest.New(ncatest.Options{Now: testNow.Add(-24 * time.Hour)})
	if err != nil {
		return nil, err
	}
	set, err := pki.IssueSet()
	if err != nil {
		return nil, err
	}
	k := &testKeys{pki: pki, set: set, transport: set.InfoSystem}
	reuse := set.InfoSystem.PrivateKey()
	is := ncakey.RoleInfoSystem
	if k.gateway, err = pki.Issue(ncatest.Request{Role: is, Surname: "ШЛЮЗ", Key: set.HeadSign.PrivateKey()}); err != nil {
		return nil, err
	}
	if k.transportAuth, err = pki.Issue(ncatest.Request{Role: is, Usage: ncakey.UsageAuth, Key: reuse}); err != nil {
		return nil, err
	}
	if k.transportExpired, err = pki.Issue(ncatest.Request{Role: is, Key: reuse,
		NotBefore: testNow.AddDate(-2, 0, 0), NotAfter: testNow.AddDate(-1, 0, 0)}); err != nil {
		return nil, err
	}
	other, err := ncatest.New(ncatest.Options{Now: testNow.Add(-24 * time.Hour)})
	if err != nil {
		return nil, err
	}
	if k.transportUntrusted, err = other.Issue(ncatest.Request{Role: is, Key: reuse}); err != nil {
		return nil, err
	}
	return k, nil
})

// fakeClock is a settable clock.
type fakeClock = testenv.Clock

func seqIDs(prefix string) func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("%s-0000-4000-8000-%012d", prefix, n)
	}
}

// sim is a sandbox behind a real HTTP server, with a fake clock.
type sim struct {
	t     testing.TB
	k     *testKeys
	srv   *sonosim.Server
	url   string
	clock *fakeClock
	// codec writes requests signed with the good transport key.
	codec *envelope.Codec
}

func newSim(t testing.TB, configure func(*sonosim.Config)) *sim {
	t.Helper()
	k := mustKeys(t)
	clock := testenv.NewClock(testNow)
	cfg := sonosim.Config{
		Gateway: k.gateway.Signer(),
		Trust:   []*x509.Certificate{k.pki.Root()},
		Clock:   clock.Now,
		Seed:    1,
	}
	if configure != nil {
		configure(&cfg)
	}
	srv, err := sonosim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &sim{t: t, k: k, srv: srv, url: hs.URL + "/bip-sync-wss-gost/", clock: clock,
		codec: &envelope.Codec{Signer: k.transport.Signer(), Clock: clock.Now, NewID: seqIDs("aaaaaaaa")}}
}

// encode writes a request of service carrying data, signed by transport
// (nil: unsigned).
func (s *sim) encode(service string, data *etree.Element, transport xmldsig.Signer) ([]byte, string) {
	s.t.Helper()
	c := *s.codec
	c.Signer = transport
	req := &envelope.Request{Info: envelope.RequestInfo{ServiceID: service, Sender: envelope.Sender{ID: "salyq", Password: "s3cret-pw"}}, Data: data}
	out, err := c.EncodeRequest(ctx, req)
	if err != nil {
		s.t.Fatal(err)
	}
	return out, req.Info.MessageID
}

// result is what the sandbox answered.
type result struct {
	status  int
	header  http.Header
	body    []byte
	resp    *envelope.Response
	fault   *envelope.FaultError
	receipt *envelope.Receipt
	st      *envelope.StatusResponse
	err     error // transport error (dropped connection)
}

func (s *sim) post(body []byte, contentType string) result {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	hr, err := http.DefaultClient.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer hr.Body.Close()
	data, err := io.ReadAll(hr.Body)
	if err != nil {
		return result{err: err}
	}
	r := result{status: hr.StatusCode, header: hr.Header, body: data}
	if !strings.HasPrefix(hr.Header.Get("Content-Type"), "text/xml") {
		return r
	}
	msg, err := envelope.ReadMessage(data)
	if err != nil {
		s.t.Fatalf("answer is not a SOAP envelope: %v\n%s", err, data)
	}
	cert, err := msg.Verify()
	if err != nil || !cert.Equal(s.k.gateway.Certificate()) {
		s.t.Fatalf("answer not signed by the gateway: %v", err)
	}
	resp, err := msg.Response()
	if fe, ok := err.(*envelope.FaultError); ok {
		r.fault = fe
		return r
	}
	if err != nil {
		s.t.Fatalf("answer: %v", err)
	}
	r.resp = resp
	switch resp.Data.Tag {
	case "fnoReceipt":
		r.receipt, err = envelope.ParseReceipt(resp.Data)
	case "fnoStatusResponse":
		r.st, err = envelope.ParseStatusResponse(resp.Data)
	}
	if err != nil {
		s.t.Fatalf("answer data: %v", err)
	}
	return r
}

func (s *sim) postXML(body []byte) result { return s.post(body, "text/xml; charset=utf-8") }

// send files a signed form with the good transport key.
func (s *sim) send(signedForm []byte) (result, string) {
	s.t.Helper()
	body, msgID := s.encode(envelope.ServiceSend, element(s.t, signedForm), s.k.transport.Signer())
	return s.postXML(body), msgID
}

// accept files a form and insists it was accepted.
func (s *sim) accept(signedForm []byte) (requestID, messageID string) {
	s.t.Helper()
	r, msgID := s.send(signedForm)
	if r.receipt == nil || r.receipt.RequestID == "" {
		s.t.Fatalf("not accepted: status %d %s %+v", r.status, r.body, r.receipt)
	}
	return r.receipt.RequestID, msgID
}

// status asks for a filing's status, signed by the taxpayer key signer.
func (s *sim) status(q envelope.StatusRequest, signer xmldsig.Signer) result {
	s.t.Helper()
	el, err := envelope.SignStatusRequest(ctx, &q, signer)
	if err != nil {
		s.t.Fatal(err)
	}
	body, _ := s.encode(envelope.ServiceStatus, el, s.k.transport.Signer())
	return s.postXML(body)
}

func element(t testing.TB, data []byte) *etree.Element {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		t.Fatal(err)
	}
	return doc.Root()
}

// sheets is a 910.00 filing for the first half of 2025 of taxpayer id, of
// the given kind; extra fields go on the first sheet.
func sheets(id, year string, kind envelope.Kind, extra ...envelope.FieldValue) []envelope.Sheet {
	first := []envelope.FieldValue{
		{Name: "iin", Value: id},
		{Name: "period_year", Value: year},
		{Name: "period_half_year", Value: "1"},
		{Name: string(kind), Value: "1"},
		{Name: "currency_code", Value: "398"},
		{Name: "payer_name1", Value: "ТЕСТОВ ТЕСТ"},
		{Name: "field_910_00_001", Value: "1500000"},
		{Name: "field_910_00_004", Value: "45000"},
	}
	return []envelope.Sheet{
		{Name: "page_910_00_01", Fields: append(first, extra...)},
		{Name: "page_910_00_02", Fields: []envelope.FieldValue{{Name: "period_year", Value: year}, {Name: "period_half_year", Value: "1"}}},
		{Name: "page_910_00_04", Fields: []envelope.FieldValue{{Name: "head_name", Value: "ТЕСТОВ ТЕСТ"}, {Name: "submit_date", Value: "14.08." + year}}},
	}
}

// signedForm builds and signs a form with SignForm.
func signedForm(t testing.TB, signer xmldsig.Signer, version string, sh []envelope.Sheet) []byte {
	t.Helper()
	f, err := envelope.ParseForm(envelope.BuildForm("910.00", version, sh), envelope.FormOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := envelope.SignForm(ctx, f, signer, envelope.SignOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rawSigned signs a form the way SignForm does but without its checks, to
// make forms the sandbox must refuse (another taxpayer's key, AUTH key).
func rawSigned(t testing.TB, signer xmldsig.Signer, sh []envelope.Sheet) []byte {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(envelope.BuildForm("910.00", "27", sh)); err != nil {
		t.Fatal(err)
	}
	root := doc.Root()
	_, err := xmldsig.Sign(ctx, signer, xmldsig.SignSpec{
		C14N:       xmldsig.C14N10,
		References: []xmldsig.Reference{{URI: "", Target: root, Transforms: []string{xmldsig.TransformEnveloped, xmldsig.C14N10}}},
		KeyInfo:    []*etree.Element{xmldsig.X509DataKeyInfo(signer.Certificate().Raw)},
		Attach:     func(sig *etree.Element) { root.AddChild(sig) },
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// individualForm is a signed regular filing of the individual taxpayer.
func (k *testKeys) individualForm(t testing.TB, kind envelope.Kind, extra ...envelope.FieldValue) []byte {
	return signedForm(t, k.set.IndividualSign.Signer(), "27", sheets(k.iin(), "2025", kind, extra...))
}

func (k *testKeys) iin() string { return k.set.IndividualSign.Identity().IIN }

// bigForm is a signed form of about size bytes: many numeric fields over
// the sheets, as a large real filing has.
func (k *testKeys) bigForm(t testing.TB, size int) []byte {
	t.Helper()
	sh := sheets(k.iin(), "2025", envelope.KindAdditional)
	for n := 0; len(envelope.BuildForm("910.00", "27", sh)) < size; n++ {
		sh = append(sh, envelope.Sheet{Name: fmt.Sprintf("page_910_00_%02d", n%4+1),
			Fields: []envelope.FieldValue{{Name: "field_910_00_00" + []string{"1", "2", "4"}[n%3], Value: fmt.Sprint(1000 + n)}}})
	}
	return signedForm(t, k.set.IndividualSign.Signer(), "27", sh)
}

func errCode(r result) string {
	switch {
	case r.fault != nil && r.fault.Info != nil:
		return r.fault.Info.Code
	case r.receipt != nil && r.receipt.Error != nil:
		return r.receipt.Error.Code
	case r.st != nil && r.st.Error != nil:
		return r.st.Error.Code
	}
	return ""
}
