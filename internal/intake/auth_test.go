package intake_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/auth"
)

// request does one API request with an optional bearer token (and a
// text/xml body on POST) and returns the answer with its whole body.
func request(t *testing.T, c *http.Client, method, url, token string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "text/xml")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

// call is request for answers that must be JSON: the status and the
// decoded body.
func call(t *testing.T, c *http.Client, method, url, token string, body []byte) (int, map[string]any) {
	t.Helper()
	resp, data := request(t, c, method, url, token, body)
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s %s: %d, body not JSON: %q", method, url, resp.StatusCode, data)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q", method, url, ct)
	}
	return resp.StatusCode, m
}

// TestAuthMatrix: every kind of credential against POST and GET on the
// real intake behind the middleware, with a revocation made through the
// same code as `salyq tokens revoke` while the server runs.
func TestAuthMatrix(t *testing.T) {
	r := newRig(t)
	tokensFile := filepath.Join(t.TempDir(), "tokens.json")
	now := time.Now()
	mine, err := auth.Add(tokensFile, "erp-mine", iin(t), now, nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := auth.Add(tokensFile, "erp-other", mustKeys(t).other.Identity().IIN, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := auth.Add(tokensFile, "admin", "all", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.OpenTokens(tokensFile)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(tokens.Middleware(r.in.Handler()))
	t.Cleanup(hs.Close)
	c := hs.Client()
	form := good(t).build()
	forms := hs.URL + "/v1/forms"

	want := func(what string, code int, m map[string]any, wantCode int, wantErr, wantReason string) {
		t.Helper()
		if code != wantCode || m["error"] != wantErr || (wantReason != "" && m["reason"] != wantReason) {
			t.Errorf("%s: %d %v, want %d error=%q reason=%q", what, code, m, wantCode, wantErr, wantReason)
		}
	}

	// Refused before the intake: nothing is queued.
	code, m := call(t, c, "POST", forms, "", form)
	want("POST no token", code, m, 401, "unauthorized", "missing bearer token")
	code, m = call(t, c, "POST", forms, "slq_not-a-token", form)
	want("POST bad token", code, m, 401, "unauthorized", "unknown token")
	code, m = call(t, c, "POST", forms, other, form)
	want("POST outside scope", code, m, 403, "forbidden", "token erp-other may not act for taxpayer "+iin(t))
	if n := r.queued(t); n != 0 {
		t.Fatalf("%d queued after refusals", n)
	}

	code, m = call(t, c, "POST", forms, mine, form)
	if code != 202 || m["taxpayer"] != iin(t) {
		t.Fatalf("POST in scope: %d %v", code, m)
	}
	id, _ := m["id"].(string)
	one := forms + "/" + id

	code, m = call(t, c, "GET", one, mine, nil)
	if code != 200 || m["id"] != id {
		t.Errorf("GET in scope: %d %v", code, m)
	}
	code, m = call(t, c, "GET", one, admin, nil)
	if code != 200 || m["id"] != id {
		t.Errorf("GET with an all token: %d %v", code, m)
	}
	code, m = call(t, c, "GET", one, "", nil)
	want("GET no token", code, m, 401, "unauthorized", "missing bearer token")
	code, m = call(t, c, "GET", one, "slq_not-a-token", nil)
	want("GET bad token", code, m, 401, "unauthorized", "unknown token")
	// Another taxpayer's submission is indistinguishable from none.
	unknown := "0000000000000000000000000000000000000000000000000000000000000000"[:len(id)]
	code, m = call(t, c, "GET", one, other, nil)
	code2, m2 := call(t, c, "GET", forms+"/"+unknown, other, nil)
	want("GET outside scope", code, m, 404, "no submission "+id, "")
	want("GET unknown id", code2, m2, 404, "no submission "+unknown, "")
	if len(m) != len(m2) {
		t.Errorf("outside scope %v and unknown %v differ in shape", m, m2)
	}

	// Revoked while the server runs: refused at once.
	if err := auth.Revoke(tokensFile, "erp-mine", time.Now()); err != nil {
		t.Fatal(err)
	}
	code, m = call(t, c, "POST", forms, mine, form)
	want("POST revoked", code, m, 401, "unauthorized", "token revoked")
	code, m = call(t, c, "GET", one, mine, nil)
	want("GET revoked", code, m, 401, "unauthorized", "token revoked")
	// Probes and other clients are unaffected.
	code, m = call(t, c, "GET", one, admin, nil)
	if code != 200 {
		t.Errorf("GET by admin after the revocation: %d %v", code, m)
	}
}

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns a leaf certificate for cn: a server's (with 127.0.0.1)
// or a client's.
func (ca *testCA) issue(t *testing.T, cn string, server bool) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func writePEM(t *testing.T, dir string, c tls.Certificate) (certFile, keyFile string) {
	t.Helper()
	certFile, keyFile = filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
	kd, err := x509.MarshalECPrivateKey(c.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestMutualTLS: a client certificate from --tls-client-ca authenticates
// as the token entry its CN names, with that entry's scope; one from
// another CA fails the handshake; none, without a token, is a 401.
func TestMutualTLS(t *testing.T) {
	r := newRig(t)
	dir := t.TempDir()
	tokensFile := filepath.Join(dir, "tokens.json")
	if _, err := auth.Add(tokensFile, "erp-cert", iin(t), time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Add(tokensFile, "erp-elsewhere", mustKeys(t).other.Identity().IIN, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.OpenTokens(tokensFile)
	if err != nil {
		t.Fatal(err)
	}
	serverCA, clientCA, strangerCA := newCA(t, "server CA"), newCA(t, "ERP CA"), newCA(t, "stranger CA")
	certFile, keyFile := writePEM(t, dir, serverCA.issue(t, "salyq", true))
	caFile := filepath.Join(dir, "client-ca.pem")
	if err := os.WriteFile(caFile, clientCA.pem, 0o600); err != nil {
		t.Fatal(err)
	}
	tc, err := auth.ServerTLS(certFile, keyFile, caFile)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(tokens.Middleware(r.in.Handler()))
	hs.TLS = tc
	hs.StartTLS()
	t.Cleanup(hs.Close)

	roots := x509.NewCertPool()
	roots.AddCert(serverCA.cert)
	// GetClientCertificate sends the certificate whatever CAs the server
	// names, as a misconfigured or hostile client would.
	client := func(certs ...tls.Certificate) *http.Client {
		tc := &tls.Config{RootCAs: roots, GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if len(certs) == 0 {
				return &tls.Certificate{}, nil
			}
			return &certs[0], nil
		}}
		return &http.Client{Transport: &http.Transport{TLSClientConfig: tc}}
	}
	forms := hs.URL + "/v1/forms"

	code, m := call(t, client(clientCA.issue(t, "erp-cert", false)), "POST", forms, "", good(t).build())
	if code != 202 || m["taxpayer"] != iin(t) {
		t.Fatalf("POST with a client certificate: %d %v", code, m)
	}
	code, m = call(t, client(clientCA.issue(t, "erp-elsewhere", false)), "POST", forms, "", good(t).build())
	if code != 403 || m["error"] != "forbidden" {
		t.Errorf("POST with a certificate of another scope: %d %v", code, m)
	}
	code, m = call(t, client(clientCA.issue(t, "nobody", false)), "POST", forms, "", good(t).build())
	if code != 401 || m["reason"] != auth.ErrUnknownClient.Error() {
		t.Errorf("POST with a certificate naming no entry: %d %v", code, m)
	}
	code, m = call(t, client(), "POST", forms, "", good(t).build())
	if code != 401 || m["reason"] != "missing bearer token" {
		t.Errorf("POST without certificate or token: %d %v", code, m)
	}
	req, _ := http.NewRequest("POST", forms, bytes.NewReader(good(t).build()))
	if resp, err := client(strangerCA.issue(t, "erp-cert", false)).Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("a certificate from another CA got through: %d", resp.StatusCode)
	}
}
