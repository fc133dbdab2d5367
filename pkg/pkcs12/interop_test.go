package pkcs12

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"

	gopkcs12 "software.sslmate.com/src/go-pkcs12"
)

// testIdentity makes a key and a self-signed certificate for it.
func testIdentity(t *testing.T, key crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: "salyq test", SerialNumber: "IIN123456789011"},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func newRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// checkDecoded asserts that c holds key and cert.
func checkDecoded(t *testing.T, c *Container, key crypto.Signer, cert *x509.Certificate) {
	t.Helper()
	got, ok := c.Key.(crypto.Signer)
	if !ok {
		t.Fatalf("key is %T", c.Key)
	}
	if !got.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()) {
		t.Error("decoded key differs from the original")
	}
	if c.Certificate == nil || !c.Certificate.Equal(cert) {
		t.Error("decoded certificate differs from the original")
	}
}

// TestGoPKCS12RoundTrip decodes files written by go-pkcs12: this checks the
// KDF, MAC and every PBE against an independent implementation.
func TestGoPKCS12RoundTrip(t *testing.T) {
	key := newRSAKey(t)
	cert := testIdentity(t, key)
	ca := testIdentity(t, newRSAKey(t))
	encoders := []struct {
		name string
		enc  *gopkcs12.Encoder
	}{
		{"LegacyRC2", gopkcs12.LegacyRC2},
		{"LegacyDES", gopkcs12.LegacyDES},
		{"Modern2023", gopkcs12.Modern2023},
		{"Modern2026 (PBMAC1)", gopkcs12.Modern2026},
	}
	const password = "пароль-Qwerty12"
	for _, e := range encoders {
		t.Run(e.name, func(t *testing.T) {
			pfx, err := e.enc.Encode(key, cert, []*x509.Certificate{ca}, password)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Decode(pfx, password)
			if err != nil {
				t.Fatal(err)
			}
			checkDecoded(t, c, key, cert)
			if len(c.CAs) != 1 || !c.CAs[0].Equal(ca) {
				t.Errorf("CAs = %d certificates, want the one CA", len(c.CAs))
			}
			if _, err := Decode(pfx, password+"x"); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("wrong password: err = %v", err)
			}
		})
	}
}

func TestNoKey(t *testing.T) {
	cert := testIdentity(t, newRSAKey(t))
	pfx, err := gopkcs12.LegacyDES.EncodeTrustStore([]*x509.Certificate{cert}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(pfx, "pw"); !errors.Is(err, ErrNoKey) {
		t.Fatalf("err = %v, want ErrNoKey", err)
	}
}

// TestSeveralKeys duplicates the key bag of an unprotected container.
func TestSeveralKeys(t *testing.T) {
	key := newRSAKey(t)
	pfx, err := gopkcs12.Passwordless.Encode(key, testIdentity(t, key), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(pfx, ""); err != nil {
		t.Fatalf("single key: %v", err)
	}
	var p pfxPDU
	if err := unmarshalDER(pfx, &p, "PFX"); err != nil {
		t.Fatal(err)
	}
	inner, _ := explicitInner(p.AuthSafe.Content, "authSafe")
	var infos []contentInfo
	if err := unmarshalDER(inner.Bytes, &infos, "authSafe"); err != nil {
		t.Fatal(err)
	}
	// Append a copy of the whole authSafe item list: two key bags.
	infos = append(infos, infos...)
	authSafe := mustMarshal(t, infos)
	p.AuthSafe.Content = asn1RawExplicit0(t, mustMarshal(t, authSafe))
	p.MacData, p.Extra = asn1RawEmpty(), asn1RawEmpty()
	if _, err := Decode(mustMarshal(t, p), ""); !errors.Is(err, ErrSeveralKeys) {
		t.Fatalf("err = %v, want ErrSeveralKeys", err)
	}
}

// TestOpenSSLExport decodes files written by `openssl pkcs12 -export`.
func TestOpenSSLExport(t *testing.T) {
	openssl := testenv.Tool(t, "openssl", testenv.PkgOpenSSL)
	dir := t.TempDir()
	rsaKey := newRSAKey(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, key crypto.Signer) (keyPath, certPath string, cert *x509.Certificate) {
		cert = testIdentity(t, key)
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		keyPath = filepath.Join(dir, name+".key")
		certPath = filepath.Join(dir, name+".crt")
		if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
			t.Fatal(err)
		}
		return keyPath, certPath, cert
	}
	rsaKeyPath, rsaCertPath, rsaCert := write("rsa", rsaKey)
	ecKeyPath, ecCertPath, ecCert := write("ec", ecKey)
	tests := []struct {
		name  string
		ec    bool
		extra []string
	}{
		{"default (PBES2 AES-256, SHA-256 MAC)", false, nil},
		{"legacy (3DES key, RC2-40 certs, SHA-1 MAC)", false, []string{"-legacy"}},
		{"RC2-128", false, []string{"-legacy", "-keypbe", "PBE-SHA1-RC2-128", "-certpbe", "PBE-SHA1-RC2-128"}},
		{"2-key 3DES", false, []string{"-legacy", "-keypbe", "PBE-SHA1-2DES", "-certpbe", "PBE-SHA1-2DES"}},
		{"PBES2 AES-128, SHA-512 MAC", false, []string{"-keypbe", "AES-128-CBC", "-certpbe", "AES-128-CBC", "-macalg", "sha512"}},
		{"unencrypted certs", false, []string{"-certpbe", "NONE"}},
		{"ECDSA default", true, nil},
	}
	const password = "Qwerty12"
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyPath, certPath, cert, key := rsaKeyPath, rsaCertPath, rsaCert, crypto.Signer(rsaKey)
			if tt.ec {
				keyPath, certPath, cert, key = ecKeyPath, ecCertPath, ecCert, ecKey
			}
			out := filepath.Join(dir, strings.Repeat("x", i+1)+".p12")
			args := append([]string{"pkcs12", "-export", "-inkey", keyPath, "-in", certPath,
				"-passout", "pass:" + password, "-out", out}, tt.extra...)
			if msg, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
				t.Fatalf("openssl %v: %v\n%s", tt.extra, err, msg)
			}
			pfx, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Decode(pfx, password)
			if err != nil {
				t.Fatal(err)
			}
			checkDecoded(t, c, key, cert)
			if _, err := Decode(pfx, "wrong"); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("wrong password: err = %v", err)
			}
		})
	}
}
