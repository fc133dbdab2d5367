package envelope

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/xmldsig"
)

var ctx = context.Background()

func signedSample(t testing.TB) []byte {
	t.Helper()
	k := mustKeys(t)
	f := sampleForm(t, k.set.IndividualSign.Identity().IIN)
	out, err := SignForm(ctx, f, k.set.IndividualSign.Signer(), SignOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSignVerifyForm(t *testing.T) {
	signed := signedSample(t)
	sf, err := VerifyForm(signed, VerifyOptions{Now: testNow})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if sf.Taxpayer != mustKeys(t).set.IndividualSign.Identity().IIN || sf.Certificate == nil {
		t.Fatalf("verified form: %+v", sf)
	}
	// Signature is the last child of fno.
	doc := etree.NewDocument()
	doc.ReadFromBytes(signed)
	kids := doc.Root().ChildElements()
	if kids[len(kids)-1].Tag != "Signature" {
		t.Fatal("signature is not the last child")
	}
}

func TestSignFormRefusesKey(t *testing.T) {
	k := mustKeys(t)
	iin := k.set.IndividualSign.Identity().IIN
	cases := []struct {
		name   string
		signer xmldsig.Signer
		form   *Form
		now    time.Time
		check  string
		cause  error
	}{
		{"auth key", k.set.IndividualAuth.Signer(), sampleForm(t, k.set.IndividualAuth.Identity().IIN), testNow, "keyUsage", ncakey.ErrNotSigningKey},
		{"expired", k.set.ExpiredSign.Signer(), sampleForm(t, k.set.ExpiredSign.Identity().TaxpayerID()), testNow, "validity", ncakey.ErrExpired},
		{"not yet valid", k.set.IndividualSign.Signer(), sampleForm(t, iin), testNow.AddDate(-5, 0, 0), "validity", ncakey.ErrNotYetValid},
		{"other taxpayer", k.set.IndividualSign.Signer(), sampleForm(t, "880101300010"), testNow, "subject", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := SignForm(ctx, c.form, c.signer, SignOptions{Now: c.now})
			if out != nil || !errors.Is(err, ErrKeyNotAllowed) {
				t.Fatalf("got %v, want ErrKeyNotAllowed and nothing signed", err)
			}
			var ke *KeyError
			if !errors.As(err, &ke) || ke.Check != c.check {
				t.Fatalf("error %v does not name check %q", err, c.check)
			}
			if c.cause != nil && !errors.Is(err, c.cause) {
				t.Fatalf("error %v does not wrap %v", err, c.cause)
			}
		})
	}
}

func TestSignFormLegalEntity(t *testing.T) {
	k := mustKeys(t)
	head := k.set.HeadSign
	f := sampleForm(t, head.Identity().BIN)
	signed, err := SignForm(ctx, f, head.Signer(), SignOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyForm(signed, VerifyOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyFormRefuses(t *testing.T) {
	signed := string(signedSample(t))
	twice := func() string {
		doc := etree.NewDocument()
		doc.ReadFromString(signed)
		sig := doc.FindElement("//Signature")
		doc.Root().AddChild(sig.Copy())
		s, _ := doc.WriteToString()
		return s
	}
	cases := []struct {
		name string
		doc  string
		opts VerifyOptions
		want error
	}{
		{"tampered field", strings.Replace(signed, ">1500000<", ">1<", 1), VerifyOptions{Now: testNow}, xmldsig.ErrDigestMismatch},
		{"tampered attribute", strings.Replace(signed, `version="27"`, `version="28"`, 1), VerifyOptions{Now: testNow}, xmldsig.ErrDigestMismatch},
		{"reference elsewhere", strings.Replace(signed, `URI=""`, `URI="#x"`, 1), VerifyOptions{Now: testNow}, xmldsig.ErrReference},
		{"two signatures", twice(), VerifyOptions{Now: testNow}, xmldsig.ErrSeveralSignatures},
		{"unsigned", string(BuildForm("910.00", "27", sampleSheets(mustKeys(t).set.IndividualSign.Identity().IIN))), VerifyOptions{Now: testNow}, xmldsig.ErrNoSignature},
		{"expired at verification", signed, VerifyOptions{Now: testNow.AddDate(3, 0, 0)}, ncakey.ErrExpired},
		{"doctype", `<!DOCTYPE fno [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + signed[strings.Index(signed, "<fno"):], VerifyOptions{Now: testNow}, ErrMalformedXML},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := VerifyForm([]byte(c.doc), c.opts)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

// TestXmlsec1VerifiesForm checks the taxpayer signature with xmlsec1, an
// independent XMLDSig implementation.
func TestXmlsec1VerifiesForm(t *testing.T) {
	xmlsec := testenv.Tool(t, "xmlsec1", testenv.PkgXmlsec1)
	k := mustKeys(t)
	path := writeTemp(t, "form.xml", signedSample(t))
	root := writeTemp(t, "root.pem", k.pki.RootPEM())
	out, err := exec.Command(xmlsec, "--verify", "--enabled-key-data", "x509", "--trusted-pem", root,
		"--verification-time", testNow.Format("2006-01-02 15:04:05"), path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("xmlsec1: %v\n%s", err, out)
	}
}
