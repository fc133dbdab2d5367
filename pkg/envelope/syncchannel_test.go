package envelope

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/xmldsig"
)

func fixedClock() time.Time { return testNow }

func sendRequest(t testing.TB, signed bool) (*Request, []byte) {
	t.Helper()
	k := mustKeys(t)
	form := etree.NewDocument()
	if err := form.ReadFromBytes(signedSample(t)); err != nil {
		t.Fatal(err)
	}
	c := &Codec{Clock: fixedClock, NewID: seqIDs()}
	if signed {
		c.Signer = k.set.InfoSystem.Signer()
	}
	req := &Request{
		Info: RequestInfo{ServiceID: ServiceSend, Sender: Sender{ID: "salyq", Password: "s3cret"}},
		Data: form.Root(),
	}
	out, err := c.EncodeRequest(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return req, out
}

func TestRequestGolden(t *testing.T) {
	c := &Codec{Clock: fixedClock, NewID: seqIDs()}
	req := &Request{
		Info: RequestInfo{
			ServiceID:     ServiceSend,
			CorrelationID: "corr-1",
			Sender:        Sender{ID: "salyq", Password: "s3cret"},
			Properties:    []Property{{"k", "v"}},
		},
		Data: sampleForm(t, "880101300010").Element(),
	}
	out, err := c.EncodeRequest(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "send_unsigned.xml", out)
	if req.Info.MessageID != "00000000-0000-4000-8000-000000000001" {
		t.Fatalf("message id not reported back: %q", req.Info.MessageID)
	}
	if !bytes.Contains(out, []byte("<messageDate>2025-07-15T15:00:00.000+05:00</messageDate>")) {
		t.Fatal("messageDate is not Asia/Almaty time")
	}
}

func TestAlmatyTimeBeforeMarch2024(t *testing.T) {
	got := AlmatyTime(time.Date(2023, 12, 31, 18, 0, 0, 0, time.UTC))
	if got != "2024-01-01T00:00:00.000+06:00" {
		t.Fatalf("got %s: the pre-2024 offset was +06:00", got)
	}
}

func TestRequestRoundTrip(t *testing.T) {
	req, out := sendRequest(t, true)
	msg, err := ReadMessage(out)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := msg.Verify()
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !bytes.Equal(cert.Raw, mustKeys(t).set.InfoSystem.Certificate().Raw) {
		t.Fatal("wrong signer certificate")
	}
	got, err := msg.Request()
	if err != nil {
		t.Fatal(err)
	}
	if got.Info.MessageID != req.Info.MessageID || got.Info.ServiceID != ServiceSend ||
		got.Info.Sender != req.Info.Sender || !got.Info.MessageDate.Equal(testNow) {
		t.Fatalf("info: %+v", got.Info)
	}
	sf, err := FormFromElement(got.Data, VerifyOptions{Now: testNow})
	if err != nil {
		t.Fatalf("embedded form: %v", err)
	}
	if sf.Taxpayer != mustKeys(t).set.IndividualSign.Identity().IIN {
		t.Fatal("embedded form lost its taxpayer")
	}
}

func TestVerifySOAPRefuses(t *testing.T) {
	_, signed := sendRequest(t, true)
	_, unsigned := sendRequest(t, false)
	s := string(signed)
	id := regexp.MustCompile(`wsu:Id="([^"]+)"`).FindStringSubmatch(s)[1]
	wrapped := func() string {
		// Signature wrapping: keep the signed original, with its id, as a
		// decoy deep inside, and give the Body another id.
		doc := etree.NewDocument()
		doc.ReadFromString(s)
		body := doc.FindElement("//Body")
		decoy := body.Copy()
		decoy.Tag = "Decoy"
		doc.FindElement("//requestData").AddChild(decoy)
		body.RemoveAttr("wsu:Id")
		body.CreateAttr("wsu:Id", "id-other")
		out, _ := doc.WriteToString()
		return out
	}
	cases := []struct {
		name string
		doc  string
		want error
	}{
		{"unsigned", string(unsigned), xmldsig.ErrNoSignature},
		{"tampered body", strings.Replace(s, "<serviceId>SONO_FNO_SEND", "<serviceId>SONO_FNO_GET_STATUS", 1), xmldsig.ErrDigestMismatch},
		{"tampered form inside", strings.Replace(s, ">1500000<", ">1<", 1), xmldsig.ErrDigestMismatch},
		{"reference elsewhere", strings.Replace(s, `URI="#`+id, `URI="#nothing`, 1), xmldsig.ErrReference},
		{"wrapping", wrapped(), xmldsig.ErrReference},
		{"two signatures", strings.Replace(s, "</wsse:Security>", extractSignature(s)+"</wsse:Security>", 1), xmldsig.ErrSeveralSignatures},
		{"bad signature value", strings.Replace(s, regexp.MustCompile(`<ds:SignatureValue>....`).FindString(s), "<ds:SignatureValue>AAAA", 1), xmldsig.ErrBadSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg, err := ReadMessage([]byte(c.doc))
			if err == nil {
				_, err = msg.Verify()
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func extractSignature(s string) string {
	i := strings.Index(s, "<ds:Signature")
	j := strings.Index(s, "</ds:Signature>")
	return s[i : j+len("</ds:Signature>")]
}

func TestRequestStructureRefused(t *testing.T) {
	_, unsigned := sendRequest(t, false)
	s := string(unsigned)
	cases := []struct {
		name, doc, field string
	}{
		{"no messageId", strings.Replace(s, "<messageId>00000000-0000-4000-8000-000000000001</messageId>", "", 1), "requestInfo/messageId"},
		{"qualified child", strings.Replace(s, "<request>", `<request xmlns="urn:x">`, 1), "request"},
		{"no sender", regexp.MustCompile(`<sender>.*</sender>`).ReplaceAllString(s, ""), "requestInfo/sender"},
		{"bad date", strings.Replace(s, "2025-07-15T15:00:00.000+05:00", "yesterday", 1), "requestInfo/messageDate"},
		{"wrong namespace", strings.Replace(s, NamespaceSyncChannel, "http://bip.bee.kz/SyncChannel/v10/types", 1), "Body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg, err := ReadMessage([]byte(c.doc))
			if err == nil {
				_, err = msg.Request()
			}
			var fe *FieldError
			if !errors.Is(err, ErrInvalidEnvelope) || !errors.As(err, &fe) || fe.Field != c.field {
				t.Fatalf("got %v, want ErrInvalidEnvelope naming %q", err, c.field)
			}
		})
	}
}

// TestSendMessageValidatesAgainstXSD runs xmllint --schema, an independent
// validator, over every SendMessage the package builds.
func TestSendMessageValidatesAgainstXSD(t *testing.T) {
	xmllint := testenv.Tool(t, "xmllint", testenv.PkgXmllint)
	xsd := schemaDriver(t)
	status, err := SignStatusRequest(ctx, &StatusRequest{RequestID: "r-1"}, mustKeys(t).set.IndividualSign.Signer())
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string][]byte{}
	_, docs["send-unsigned"] = sendRequest(t, false)
	_, docs["send-signed"] = sendRequest(t, true)
	c := &Codec{Clock: fixedClock, NewID: seqIDs(), Signer: mustKeys(t).set.InfoSystem.Signer()}
	docs["status"], err = c.EncodeRequest(ctx, &Request{Info: RequestInfo{ServiceID: ServiceStatus, Sender: Sender{ID: "salyq"}}, Data: status})
	if err != nil {
		t.Fatal(err)
	}
	// A control that must fail, so that a driver validating nothing is
	// caught.
	docs["invalid-control"] = bytes.Replace(docs["send-unsigned"], []byte("<serviceId>SONO_FNO_SEND</serviceId>"), nil, 1)
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			if name == "invalid-control" {
				path := writeTemp(t, name+".xml", soapBodyChild(t, doc))
				if out, err := exec.Command(xmllint, "--noout", "--schema", xsd, path).CombinedOutput(); err == nil {
					t.Fatalf("xmllint accepted a SendMessage without serviceId:\n%s", out)
				}
				return
			}
			body := soapBodyChild(t, doc)
			path := writeTemp(t, name+".xml", body)
			out, err := exec.Command(xmllint, "--noout", "--schema", xsd, path).CombinedOutput()
			if err != nil {
				t.Fatalf("xmllint: %v\n%s", err, out)
			}
		})
	}
}

// schemaDriver writes a schema that stands for ISyncChannel.xsd with every
// file it depends on. libxml2 reads only the first xsd:import of a
// namespace and skips the others, and these schemas spread each namespace
// over several files imported from different places. So the driver, per
// namespace, includes all the files of that namespace (a driver per
// foreign namespace, imported first), which changes nothing in what is
// validated.
func schemaDriver(t *testing.T) string {
	root := testenv.Path(t, "docs", "shep-v10")
	files, _ := filepath.Glob(filepath.Join(root, "SyncChannel", "v10", "Types", "*.xsd"))
	common, _ := filepath.Glob(filepath.Join(root, "common", "v10", "Types", "*.xsd"))
	files = append(files, common...)
	tns := regexp.MustCompile(`targetNamespace="([^"]+)"`)
	byNS := map[string][]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := tns.FindSubmatch(data)
		if m == nil {
			t.Fatalf("%s: no targetNamespace", f)
		}
		byNS[string(m[1])] = append(byNS[string(m[1])], f)
	}
	dir := t.TempDir()
	schema := func(ns string, imports []string) string {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="` + ns + `">`)
		for _, imp := range imports {
			b.WriteString(imp)
		}
		for _, f := range byNS[ns] {
			b.WriteString(`<xsd:include schemaLocation="` + f + `"/>`)
		}
		b.WriteString(`</xsd:schema>`)
		return b.String()
	}
	var imports []string
	n := 0
	for ns := range byNS {
		if ns == NamespaceSyncChannel {
			continue
		}
		n++
		p := filepath.Join(dir, fmt.Sprintf("ns%d.xsd", n))
		if err := os.WriteFile(p, []byte(schema(ns, nil)), 0o600); err != nil {
			t.Fatal(err)
		}
		imports = append(imports, `<xsd:import namespace="`+ns+`" schemaLocation="`+p+`"/>`)
	}
	main := filepath.Join(dir, "driver.xsd")
	if err := os.WriteFile(main, []byte(schema(NamespaceSyncChannel, imports)), 0o600); err != nil {
		t.Fatal(err)
	}
	return main
}

// soapBodyChild extracts SendMessage as a standalone document: the XSD
// describes the Body's content, not the SOAP envelope.
func soapBodyChild(t *testing.T, doc []byte) []byte {
	t.Helper()
	msg, err := ReadMessage(doc)
	if err != nil {
		t.Fatal(err)
	}
	d := etree.NewDocument()
	d.SetRoot(msg.body.ChildElements()[0].Copy())
	out, err := d.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestXmlsec1VerifiesTransportSignature checks the WS-Security signature
// with xmlsec1 (which needs to be told that Body's Id attribute is an ID).
func TestXmlsec1VerifiesTransportSignature(t *testing.T) {
	xmlsec := testenv.Tool(t, "xmlsec1", testenv.PkgXmlsec1)
	_, signed := sendRequest(t, true)
	path := writeTemp(t, "send.xml", signed)
	// xmlsec1 does not read a certificate from a wsse KeyIdentifier: it is
	// given the transport certificate's public key instead.
	cert := writeTemp(t, "cert.pem", pemCert(mustKeys(t).set.InfoSystem.Certificate().Raw))
	out, err := exec.Command(xmlsec, "--verify", "--id-attr:Id", "Body", "--pubkey-cert-pem", cert,
		"--verification-time", testNow.Format("2006-01-02 15:04:05"), path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("xmlsec1: %v\n%s", err, out)
	}
}

// TestOperatorSampleRequest parses the operator's real signed request and
// recomputes the canonical form of its Body, the input of its
// DigestValue. (The GOST 34.11-94 digest itself is checked where the GOST
// hash lives.)
func TestOperatorSampleRequest(t *testing.T) {
	raw, err := os.ReadFile(testenv.Path(t, "testdata", "nca", "signed", "nit-shep-request-gost2004.xml"))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := ReadMessage(raw)
	if err != nil {
		t.Fatal(err)
	}
	req, err := msg.Request()
	if err != nil {
		t.Fatal(err)
	}
	if req.Info.MessageID != "7ea6369f-18c5-4633-ad73-19de35883e0b" || req.Info.ServiceID != "TEST_SERVICE_ID" ||
		req.Info.Sender.ID != "senderId" || req.Info.MessageDate.Format(time.RFC3339) != "2019-09-24T12:20:34+06:00" {
		t.Fatalf("info: %+v", req.Info)
	}
	cert, err := keyIdentifierCertificate(xmldsig.FindSignatures(msg.header)[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if cert.Subject.SerialNumber != "IIN123456789011" {
		t.Fatalf("certificate subject %v", cert.Subject)
	}
	// The Reference points at the Body.
	ref := xmldsig.FindSignatures(msg.header)[0].FindElement("SignedInfo/Reference")
	if ref.SelectAttrValue("URI", "") != "#"+msg.body.SelectAttrValue("wsu:Id", "") {
		t.Fatal("reference does not name the Body")
	}
	canon, err := xmldsig.Canonicalize(msg.body, xmldsig.ExcC14N)
	if err != nil {
		t.Fatal(err)
	}
	// Expected exclusive c14n, derived from the raw bytes by the rules: the
	// S prefix used by Body is declared on it; xmlns:xs, used only inside
	// an attribute value, is not visibly utilized and is dropped.
	s := string(raw)
	body := s[strings.Index(s, "<S:Body"):strings.Index(s, "</S:Envelope>")]
	want := strings.Replace(body, `<S:Body xmlns:wsu=`, `<S:Body xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsu=`, 1)
	want = strings.Replace(want, ` xmlns:xs="http://www.w3.org/2001/XMLSchema"`, "", 1)
	if string(canon) != want {
		t.Fatalf("canonical Body differs\ngot:  %s\nwant: %s", canon, want)
	}
	// The whole WS-Security signature verifies (GOST 34.310-2004 with the
	// embedded certificate); the certificate's validity is the caller's
	// business, so its expiry in 2020 does not matter here.
	if _, err := msg.Verify(); err != nil {
		t.Fatalf("verify: %v", err)
	}
	tampered, err := ReadMessage([]byte(strings.Replace(s, "<serviceId>TEST_SERVICE_ID", "<serviceId>TEST_SERVICE_IE", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tampered.Verify(); !errors.Is(err, xmldsig.ErrDigestMismatch) {
		t.Fatalf("tampered operator request: %v", err)
	}
}
