package envelope

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/pkg/crypto/gostcert"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// infoSystemKeys issues NCA's information-system keys in both profiles
// (the current EKU 1.2.398.3.3.4.1.2.6 one without an IIN, and the older
// policy OID 1.2.398.5.19.1.2.2.1 on a person's certificate), GOST
// 2015-512 and RSA.
func infoSystemKeys(t *testing.T) map[string]*ncatest.Issued {
	t.Helper()
	pki := mustKeys(t).pki
	var legacy asn1.ObjectIdentifier
	for _, row := range ncakey.RoleTable() {
		if row.Role == ncakey.RoleInfoSystem && !row.OID.Equal(ncakey.RoleInfoSystem.OID()) {
			legacy = row.OID
		}
	}
	older := []asn1.ObjectIdentifier{ncakey.RoleLegalEntity.OID(), legacy}
	out := map[string]*ncatest.Issued{}
	for name, req := range map[string]ncatest.Request{
		"GOST current": {GOST: true},
		"RSA current":  {},
		"GOST older":   {GOST: true, RoleOIDs: older},
		"RSA older":    {RoleOIDs: older},
	} {
		req.Role, req.Usage, req.Name = ncakey.RoleInfoSystem, ncakey.UsageSign|ncakey.UsageAuth, "SALYQ ERP"
		is, err := pki.Issue(req)
		if err != nil {
			t.Fatal(err)
		}
		if id := is.Identity(); id.Role != ncakey.RoleInfoSystem || id.BIN == "" || (id.IIN == "") != strings.HasSuffix(name, "current") {
			t.Fatalf("%s: identity %v", name, id)
		}
		out[name] = is
	}
	return out
}

// TestInfoSystemWSSecurityCrossCheck signs a SendMessage request with
// every information-system key and has an independent implementation
// verify it: xmlsec1 the RSA ones, OpenSSL's GOST provider the GOST ones
// (xmlsec1 does not know Kazakhstan's GOST URIs, so openssl checks the
// digest of the canonical Body with the GOST provider and the signature
// over the canonical SignedInfo with the gost engine).
func TestInfoSystemWSSecurityCrossCheck(t *testing.T) {
	keys := infoSystemKeys(t)
	names := make([]string, 0, len(keys))
	for n := range keys {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		is := keys[name]
		t.Run(name, func(t *testing.T) {
			c := &Codec{Clock: fixedClock, NewID: seqIDs(), Signer: is.Signer()}
			out, err := c.EncodeRequest(ctx, &Request{
				Info: RequestInfo{ServiceID: ServiceSend, Sender: Sender{ID: "salyq", Password: "s3cret"}},
				Data: sampleForm(t, "880101300010").Element(),
			})
			if err != nil {
				t.Fatal(err)
			}
			m, err := ReadMessage(out)
			if err != nil {
				t.Fatal(err)
			}
			if cert, err := m.Verify(); err != nil || !cert.Equal(is.Certificate()) {
				t.Fatalf("salyq's own check: %v", err)
			}
			if strings.HasPrefix(name, "GOST") {
				opensslVerifyGOST(t, out, is)
			} else {
				xmlsec1VerifySOAP(t, out, is)
			}
		})
	}
}

func xmlsec1VerifySOAP(t *testing.T, doc []byte, is *ncatest.Issued) {
	t.Helper()
	xmlsec := testenv.Tool(t, "xmlsec1", testenv.PkgXmlsec1)
	dir := t.TempDir()
	path, certPEM := filepath.Join(dir, "signed.xml"), filepath.Join(dir, "cert.pem")
	os.WriteFile(path, doc, 0o600)
	os.WriteFile(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: is.Certificate().Raw}), 0o600)
	out, err := exec.Command(xmlsec, "--verify", "--pubkey-cert-pem", certPEM,
		"--id-attr:Id", NamespaceSOAP+":Body", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("xmlsec1: %v\n%s", err, out)
	}
	// A changed Body must fail there too, or the check proves nothing.
	bad := bytes.Replace(doc, []byte("880101300010"), []byte("880101300011"), 1)
	os.WriteFile(path, bad, 0o600)
	if out, err := exec.Command(xmlsec, "--verify", "--pubkey-cert-pem", certPEM,
		"--id-attr:Id", NamespaceSOAP+":Body", path).CombinedOutput(); err == nil {
		t.Fatalf("xmlsec1 accepted a changed Body:\n%s", out)
	}
}

// OIDs OpenSSL's GOST provider knows the same key by (RFC 7836).
var (
	oidTC26Key512    = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	oidTC26ParamSetA = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 1}
)

func opensslVerifyGOST(t *testing.T, doc []byte, is *ncatest.Issued) {
	t.Helper()
	openssl := testenv.OpenSSLGOST(t)
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		t.Fatal(err)
	}
	sig := d.FindElement("//Signature")
	body := d.FindElement("//Body")
	si := sig.FindElement("SignedInfo")
	if sig == nil || body == nil || si == nil {
		t.Fatal("no Signature, SignedInfo or Body")
	}
	dir := t.TempDir()
	run := func(stdin []byte, args ...string) ([]byte, error) {
		cmd := exec.Command(openssl, append([]string{"dgst", "-provider", "gostprov", "-provider", "default", "-md_gost12_512"}, args...)...)
		cmd.Stdin = bytes.NewReader(stdin)
		return cmd.CombinedOutput()
	}

	// The Reference's digest: Streebog-512 of the canonical Body.
	canonBody, err := xmldsig.Canonicalize(body, xmldsig.ExcC14N)
	if err != nil {
		t.Fatal(err)
	}
	digest, err := run(canonBody, "-binary")
	if err != nil {
		t.Fatalf("openssl dgst: %v: %s", err, digest)
	}
	if got := si.FindElement(".//DigestValue").Text(); got != base64.StdEncoding.EncodeToString(digest) {
		t.Fatalf("DigestValue %s, openssl %s", got, base64.StdEncoding.EncodeToString(digest))
	}

	// The signature over the canonical SignedInfo, with the public key
	// under the OIDs OpenSSL knows. OpenSSL's layout is s_BE‖r_BE, the
	// byte reverse of NCA's r_LE‖s_LE (docs/PROTOCOL.md §5).
	pub, err := gostcert.PublicKeyOf(is.Certificate())
	if err != nil {
		t.Fatal(err)
	}
	params, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidTC26ParamSetA})
	point, _ := asn1.Marshal(pub.Key.Raw())
	spki, err := asn1.Marshal(struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}{pkix.AlgorithmIdentifier{Algorithm: oidTC26Key512, Parameters: asn1.RawValue{FullBytes: params}}, asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := filepath.Join(dir, "pub.pem")
	os.WriteFile(pubPEM, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}), 0o600)
	value, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sig.FindElement("SignatureValue").Text()))
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(value)
	sigFile := filepath.Join(dir, "sig.bin")
	os.WriteFile(sigFile, value, 0o600)
	canonSI, err := xmldsig.Canonicalize(si, xmldsig.ExcC14N)
	if err != nil {
		t.Fatal(err)
	}
	// OpenSSL 3.0's GOST provider hashes but does not read GOST keys: the
	// signature is checked by the gost engine of the same package.
	engine := testenv.OpenSSLGOSTEngine(t)
	verify := func(msg []byte) ([]byte, error) {
		cmd := exec.Command(engine, "dgst", "-engine", "gost", "-md_gost12_512", "-verify", pubPEM, "-signature", sigFile)
		cmd.Stdin = bytes.NewReader(msg)
		return cmd.CombinedOutput()
	}
	if out, err := verify(canonSI); err != nil || !strings.Contains(string(out), "Verified OK") {
		t.Fatalf("openssl: %v: %s", err, out)
	}
	canonSI[len(canonSI)/2] ^= 1
	if out, err := verify(canonSI); err == nil {
		t.Fatalf("openssl accepted a changed SignedInfo: %s", out)
	}
}
