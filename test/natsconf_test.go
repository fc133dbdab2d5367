package test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/salyq/salyq/internal/testkit"
)

// natsConfDir is where the shipped cluster configurations are.
const natsConfDir = "../deployments/nats"

// What a shipped configuration names on a real host and a test moves
// into its temp dir: nats-server takes neither from its command line
// (it refuses -sd next to a store_dir in the file, "Duplicate 'store_dir'
// configuration", and has no flags for the route TLS block).
const (
	shippedStoreDir = "store_dir: /var/lib/nats"
	shippedCertDir  = "/etc/nats/"
)

// routeCerts is a cluster CA and one route certificate per member, made
// as deployments/README.md tells an operator to make them: the member's
// name (and, for this machine, 127.0.0.1) in subjectAltName, usable to
// accept a route and to make one.
type routeCerts struct {
	caPEM []byte
	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey
}

func newRouteCerts(t testing.TB, cn string) *routeCerts {
	t.Helper()
	key := newECKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &routeCerts{caPEM: pemBlock("CERTIFICATE", der), ca: ca, caKey: key}
}

// issue returns a route certificate and key, PEM, for member name.
func (rc *routeCerts) issue(t testing.TB, name string) (certPEM, keyPEM []byte) {
	t.Helper()
	key := newECKey(t)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, rc.ca, &key.PublicKey, rc.caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemBlock("CERTIFICATE", der), pemBlock("PRIVATE KEY", kder)
}

// tlsCert is issue as a tls.Certificate, for a test's own route client.
func (rc *routeCerts) tlsCert(t testing.TB, name string) tls.Certificate {
	t.Helper()
	cert, key := rc.issue(t, name)
	c, err := tls.X509KeyPair(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// localNATSConf writes into dir a copy of the shipped configuration of
// member name whose store and route certificates are in dir, and returns
// its path.
func localNATSConf(t testing.TB, name, dir string, rc *routeCerts) string {
	t.Helper()
	shipped, err := os.ReadFile(filepath.Join(natsConfDir, name+".conf"))
	if err != nil {
		t.Fatal(err)
	}
	conf := string(shipped)
	if strings.Count(conf, shippedStoreDir) != 1 {
		t.Fatalf("%s.conf: want exactly one %q line for the test to point elsewhere", name, shippedStoreDir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	conf = strings.Replace(conf, shippedStoreDir, "store_dir: "+filepath.Join(dir, "store"), 1)
	conf = strings.ReplaceAll(conf, shippedCertDir, dir+string(filepath.Separator))
	cert, key := rc.issue(t, name)
	for file, data := range map[string][]byte{"route.pem": cert, "route-key.pem": key, "route-ca.pem": rc.caPEM, name + ".conf": []byte(conf)} {
		if err := os.WriteFile(filepath.Join(dir, file), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, name+".conf")
}

func newECKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

// TestNATSRoutesNeedClusterCert: a member started from a shipped
// configuration takes a route only over TLS with a certificate of the
// cluster's CA. Anyone else who reaches the cluster port — in plain
// text, over TLS without a certificate, or with one of another CA — is
// cut off before a route protocol line is read.
func TestNATSRoutesNeedClusterCert(t *testing.T) {
	t.Setenv("SALYQ_NATS_PASSWORD", clusterPassword)
	certs := newRouteCerts(t, "salyq test cluster CA")
	opts, err := server.ProcessConfigFile(localNATSConf(t, "nats-1", t.TempDir(), certs))
	if err != nil {
		t.Fatal(err)
	}
	opts.Host, opts.Port, opts.HTTPPort = "127.0.0.1", server.RANDOM_PORT, 0
	opts.Cluster.Host, opts.Cluster.Port, opts.Routes = "127.0.0.1", server.RANDOM_PORT, nil
	// One member alone: JetStream would wait for its peers, and only the
	// route listener is under test.
	opts.JetStream = false
	srv := startConfServer(t, opts)
	addr := srv.ClusterAddr().String()

	// dial speaks TLS with cfg (nil: plain text) to the cluster port and
	// returns the first line the server sends: a route's INFO, which
	// nats-server sends only after the TLS handshake.
	dial := func(cfg *tls.Config) (string, error) {
		raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		raw.SetDeadline(time.Now().Add(10 * time.Second))
		conn := raw
		if cfg != nil {
			tc := tls.Client(raw, cfg)
			if err := tc.Handshake(); err != nil {
				return "", err
			}
			conn = tc
		} else if _, err := io.WriteString(conn, "CONNECT {}\r\nPING\r\n"); err != nil {
			return "", err
		}
		return bufio.NewReader(conn).ReadString('\n')
	}
	roots := x509.NewCertPool()
	roots.AddCert(certs.ca)
	member := &tls.Config{RootCAs: roots, ServerName: "nats-1", Certificates: []tls.Certificate{certs.tlsCert(t, "nats-2")}}
	if got, err := dial(member); err != nil || !strings.HasPrefix(got, "INFO ") {
		t.Fatalf("a member with the cluster's certificate: %q, %v; want the route INFO", got, err)
	}
	// Go's client would hold back a certificate the server's list of CAs
	// does not name; the intruder sends its own anyway.
	intruder := newRouteCerts(t, "intruder CA").tlsCert(t, "nats-2")
	for name, cfg := range map[string]*tls.Config{
		"plain text":          nil,
		"TLS, no certificate": {RootCAs: roots, ServerName: "nats-1"},
		"TLS, another CA": {RootCAs: roots, ServerName: "nats-1", GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &intruder, nil
		}},
	} {
		got, err := dial(cfg)
		if err == nil {
			t.Errorf("%s: the route answered %q", name, got)
			continue
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Errorf("%s: not cut off, the read timed out", name)
		}
	}
}

// startConfServer starts a nats-server in the test process with opts, a
// shipped configuration with what differs on this machine overridden,
// and stops it when the test ends.
func startConfServer(t testing.TB, opts *server.Options) *server.Server {
	t.Helper()
	opts.NoLog, opts.NoSigs = true, true
	srv := testkit.StartServer(t, opts)
	t.Cleanup(srv.Shutdown)
	return srv
}
