package xmldsig

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"

	"github.com/beevik/etree"
)

// rsaSigner is the smallest Signer: a self-signed RSA key made for tests.
type rsaSigner struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

func (s *rsaSigner) Certificate() *x509.Certificate { return s.cert }
func (s *rsaSigner) Algorithm() Algorithm           { return RSASHA256 }
func (s *rsaSigner) Sign(_ context.Context, msg []byte) ([]byte, error) {
	sum := sha256.Sum256(msg)
	return rsa.SignPKCS1v15(nil, s.key, crypto.SHA256, sum[:])
}

var testSigner = sync.OnceValue(func() *rsaSigner {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "xmldsig test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &rsaSigner{key: key, cert: cert}
})

func signEnveloped(t *testing.T, xml string) *etree.Document {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		t.Fatal(err)
	}
	root := doc.Root()
	s := testSigner()
	_, err := Sign(context.Background(), s, SignSpec{
		C14N:       C14N10,
		References: []Reference{{URI: "", Target: root, Transforms: []string{TransformEnveloped, C14N10}}},
		KeyInfo:    []*etree.Element{X509DataKeyInfo(s.cert.Raw)},
		Attach:     func(sig *etree.Element) { root.AddChild(sig) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func rootResolver(doc *etree.Document) Resolver {
	return func(uri string) (*etree.Element, error) {
		if uri != "" {
			return nil, errors.New("only the whole document may be signed")
		}
		return doc.Root(), nil
	}
}

func verifyDoc(doc *etree.Document) error {
	sigs := FindSignatures(doc.Root())
	if len(sigs) != 1 {
		return ErrSeveralSignatures
	}
	cert, err := CertificateFromX509Data(sigs[0])
	if err != nil {
		return err
	}
	_, err = Verify(sigs[0], cert, rootResolver(doc))
	return err
}

const sample = `<doc xmlns:x="urn:x"><a x:k="1">text &amp; more</a>
  <b/><!-- a comment --></doc>`

func TestEnvelopedRoundTrip(t *testing.T) {
	doc := signEnveloped(t, sample)
	out, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	reread := etree.NewDocument()
	if err := reread.ReadFromString(out); err != nil {
		t.Fatal(err)
	}
	if err := verifyDoc(reread); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

func TestTamperedFails(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(doc *etree.Document)
		want   error
	}{
		{"content", func(d *etree.Document) { d.FindElement("//a").SetText("other") }, ErrDigestMismatch},
		{"attribute", func(d *etree.Document) { d.FindElement("//a").CreateAttr("x:k", "2") }, ErrDigestMismatch},
		{"signature value", func(d *etree.Document) {
			sv := d.FindElement("//SignatureValue")
			sv.SetText("AAAA" + sv.Text()[4:])
		}, ErrBadSignature},
		{"signed info", func(d *etree.Document) {
			d.FindElement("//Reference").CreateAttr("Id", "x")
		}, ErrBadSignature},
		{"reference elsewhere", func(d *etree.Document) {
			d.FindElement("//Reference").CreateAttr("URI", "#other")
		}, ErrReference},
		{"unknown transform", func(d *etree.Document) {
			d.FindElement("//Transform").CreateAttr("Algorithm", "urn:xslt")
		}, ErrUnsupportedAlgorithm},
		{"unknown method", func(d *etree.Document) {
			d.FindElement("//SignatureMethod").CreateAttr("Algorithm", "urn:md5")
		}, ErrUnsupportedAlgorithm},
		{"no digest", func(d *etree.Document) {
			r := d.FindElement("//Reference")
			r.RemoveChild(r.SelectElement("DigestValue"))
		}, ErrMalformed},
		{"bad cert", func(d *etree.Document) { d.FindElement("//X509Certificate").SetText("AAAA") }, ErrCertificate},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := signEnveloped(t, sample)
			c.mutate(doc)
			err := verifyDoc(doc)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			var ce *CheckError
			if !errors.As(err, &ce) || ce.Check == "" {
				t.Fatalf("error %v does not name the failed check", err)
			}
		})
	}
}

// TestXmlsec1Verifies checks our enveloped signature with an independent
// implementation.
func TestXmlsec1Verifies(t *testing.T) {
	xmlsec := testenv.Tool(t, "xmlsec1", testenv.PkgXmlsec1)
	doc := signEnveloped(t, sample)
	dir := t.TempDir()
	path := filepath.Join(dir, "signed.xml")
	if err := doc.WriteToFile(path); err != nil {
		t.Fatal(err)
	}
	pem := filepath.Join(dir, "cert.pem")
	os.WriteFile(pem, pemCert(testSigner().cert.Raw), 0o600)
	out, err := exec.Command(xmlsec, "--verify", "--enabled-key-data", "x509", "--trusted-pem", pem, path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("xmlsec1: %v\n%s", err, out)
	}
}
