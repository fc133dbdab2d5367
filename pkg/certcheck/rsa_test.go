package certcheck

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"

	"golang.org/x/crypto/ocsp"

	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/pkg/ncakey"
)

var ncatestPKI = sync.OnceValues(func() (*ncatest.PKI, error) {
	return ncatest.New(ncatest.Options{Now: at})
})

func TestNCATestRSAChain(t *testing.T) {
	pki, err := ncatestPKI()
	if err != nil {
		t.Fatal(err)
	}
	is, err := pki.Issue(ncatest.Request{Role: ncakey.RoleHead, Usage: ncakey.UsageSign | ncakey.UsageAuth})
	if err != nil {
		t.Fatal(err)
	}
	rsaChecker, err := New(Options{Roots: []*x509.Certificate{pki.Root()}})
	if err != nil {
		t.Fatal(err)
	}
	chain, err := rsaChecker.Verify(is.Key.Certificate(), at)
	if err != nil || len(chain.Certificates) != 2 || !chain.Anchor().Equal(pki.Root()) {
		t.Fatalf("RSA chain: %v (%d)", err, len(chain.Certificates))
	}
	// The same certificate against the NCA GOST roots: another root.
	if _, err := ncaChecker(t, nil, nil, PolicyFail).Verify(is.Key.Certificate(), at); !errors.Is(err, ErrUntrusted) {
		t.Fatalf("foreign root: %v", err)
	}
	// And an NCA GOST key against the RSA root.
	gost := loadNCAKey(t, "legal_valid_head.p12").Certificate()
	if _, err := rsaChecker.Verify(gost, at); !errors.Is(err, ErrUntrusted) {
		t.Fatalf("GOST key under RSA root: %v", err)
	}
	r := Describe(is.Key, rsaChecker, at)
	if r.Algorithm != "RSA-2048" || r.ChainStatus != "trusted" || r.Err != nil || r.Revocation.State != NotChecked {
		t.Fatalf("report %+v", r)
	}
}

// miniCA is an RSA CA whose key the test holds, for CRLs and OCSP.
type miniCA struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func issue(t *testing.T, parent *miniCA, tmpl *x509.Certificate, key *rsa.PrivateKey) *miniCA {
	t.Helper()
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &miniCA{cert: c, key: key}
}

func caTemplate(serial int64, cn string) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: at.AddDate(-1, 0, 0), NotAfter: at.AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
}

func leafTemplate(serial int64) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "leaf"},
		NotBefore: at.AddDate(0, -1, 0), NotAfter: at.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
}

type rsaPKI struct {
	root, ca *miniCA
	leaf     *x509.Certificate
	leafKey  *rsa.PrivateKey
}

var rsaFixture struct {
	once sync.Once
	pki  rsaPKI
}

// rsaPKIFor makes (once) root → CA → leaf with three fresh keys.
func rsaPKIFor(t *testing.T) rsaPKI {
	rsaFixture.once.Do(func() {
		root := issue(t, nil, caTemplate(1, "Test RSA Root"), newKey(t))
		ca := issue(t, root, caTemplate(2, "Test RSA CA"), newKey(t))
		lk := newKey(t)
		leaf := issue(t, ca, leafTemplate(1000), lk)
		rsaFixture.pki = rsaPKI{root: root, ca: ca, leaf: leaf.cert, leafKey: lk}
	})
	if rsaFixture.pki.leaf == nil {
		t.Fatal("RSA fixture failed")
	}
	return rsaFixture.pki
}

var oidDelta = asn1.ObjectIdentifier{2, 5, 29, 27}

func makeCRL(t *testing.T, ca *miniCA, number int64, deltaOf int64, next time.Time, entries ...x509.RevocationListEntry) []byte {
	t.Helper()
	tmpl := &x509.RevocationList{
		Number:                    big.NewInt(number),
		ThisUpdate:                at.AddDate(0, 0, -1),
		NextUpdate:                next,
		RevokedCertificateEntries: entries,
	}
	if deltaOf > 0 {
		v, _ := asn1.Marshal(big.NewInt(deltaOf))
		tmpl.ExtraExtensions = []pkix.Extension{{Id: oidDelta, Critical: true, Value: v}}
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.cert, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestRSAChainErrors(t *testing.T) {
	p := rsaPKIFor(t)
	c, err := New(Options{Roots: []*x509.Certificate{p.root.cert}, Intermediates: []*x509.Certificate{p.ca.cert}})
	if err != nil {
		t.Fatal(err)
	}
	if ch, err := c.Verify(p.leaf, at); err != nil || len(ch.Certificates) != 3 {
		t.Fatalf("RSA 3-chain: %v", err)
	}
	// Intermediate given only with the key (as a .p12 would carry it).
	noInter, _ := New(Options{Roots: []*x509.Certificate{p.root.cert}})
	if _, err := noInter.Verify(p.leaf, at); !errors.Is(err, ErrUntrusted) {
		t.Fatalf("without intermediate: %v", err)
	}
	if _, err := noInter.VerifyContext(t.Context(), p.leaf, []*x509.Certificate{p.ca.cert}, at); err != nil {
		t.Fatalf("intermediate from the key: %v", err)
	}
	// A CA with the same name and key identifier but another key: the
	// signature fails.
	fakeTmpl := caTemplate(2, "Test RSA CA")
	fakeTmpl.SubjectKeyId = p.ca.cert.SubjectKeyId
	fake := issue(t, p.root, fakeTmpl, p.leafKey)
	fc, _ := New(Options{Roots: []*x509.Certificate{p.root.cert}, Intermediates: []*x509.Certificate{fake.cert}})
	if _, err := fc.Verify(p.leaf, at); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("wrong issuer key: %v", err)
	}
	// An end-entity certificate used as an issuer.
	eeTmpl := leafTemplate(2000)
	eeTmpl.Subject = pkix.Name{CommonName: "not a CA"}
	ee := issue(t, p.root, eeTmpl, p.leafKey)
	under := issue(t, ee, leafTemplate(3000), p.leafKey)
	nc, _ := New(Options{Roots: []*x509.Certificate{p.root.cert}, Intermediates: []*x509.Certificate{ee.cert}})
	if _, err := nc.Verify(under.cert, at); !errors.Is(err, ErrNotCA) {
		t.Fatalf("issued by an end entity: %v", err)
	}
}

func TestRSACRLWithDelta(t *testing.T) {
	p := rsaPKIFor(t)
	next := at.AddDate(0, 0, 7)
	revokedEntry := x509.RevocationListEntry{SerialNumber: p.leaf.SerialNumber, RevocationTime: at.Add(-time.Hour), ReasonCode: int(ReasonCertificateHold)}
	otherEntry := x509.RevocationListEntry{SerialNumber: big.NewInt(4242), RevocationTime: at.Add(-time.Hour), ReasonCode: int(ReasonKeyCompromise)}
	lifted := x509.RevocationListEntry{SerialNumber: p.leaf.SerialNumber, RevocationTime: at.Add(-time.Minute), ReasonCode: int(ReasonRemoveFromCRL)}
	for _, tc := range []struct {
		name        string
		base, delta []byte
		want        error
		state       RevocationState
	}{
		{"base lists", makeCRL(t, p.ca, 10, 0, next, revokedEntry), nil, ErrRevoked, Revoked},
		{"base clean", makeCRL(t, p.ca, 10, 0, next, otherEntry), nil, nil, Good},
		{"delta adds", makeCRL(t, p.ca, 10, 0, next, otherEntry), makeCRL(t, p.ca, 11, 10, next, revokedEntry), ErrRevoked, Revoked},
		{"delta lifts hold", makeCRL(t, p.ca, 10, 0, next, revokedEntry), makeCRL(t, p.ca, 11, 10, next, lifted), nil, Good},
		{"delta for a newer base", makeCRL(t, p.ca, 10, 0, next), makeCRL(t, p.ca, 13, 12, next), ErrRevocationUnknown, Unknown},
		{"full CRL as delta", makeCRL(t, p.ca, 10, 0, next), makeCRL(t, p.ca, 11, 0, next), ErrRevocationUnknown, Unknown},
		{"delta as base", makeCRL(t, p.ca, 11, 10, next), nil, ErrRevocationUnknown, Unknown},
		{"CRL by the root", makeCRL(t, p.root, 10, 0, next), nil, ErrRevocationUnknown, Unknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := RevocationConfig{Issuer: p.ca.cert, CRL: &countingSource{name: "base", data: tc.base}}
			if tc.delta != nil {
				cfg.DeltaCRL = &countingSource{name: "delta", data: tc.delta}
			}
			c, err := New(Options{Roots: []*x509.Certificate{p.root.cert}, Intermediates: []*x509.Certificate{p.ca.cert},
				Revocation: []RevocationConfig{cfg}, Clock: func() time.Time { return at }})
			if err != nil {
				t.Fatal(err)
			}
			chain, err := c.Verify(p.leaf, at)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if chain.Revocation[0].State != tc.state {
				t.Fatalf("state %s, want %s (%v)", chain.Revocation[0].State, tc.state, chain.Revocation[0].Err)
			}
		})
	}
}

// TestRSACacheRefresh: a newer CRL is fetched only after nextUpdate.
func TestRSACacheRefresh(t *testing.T) {
	p := rsaPKIFor(t)
	clock := testenv.NewClock(at)
	next := at.Add(24 * time.Hour)
	src := &countingSource{name: "crl", data: makeCRL(t, p.ca, 1, 0, next)}
	c, _ := New(Options{Roots: []*x509.Certificate{p.root.cert}, Intermediates: []*x509.Certificate{p.ca.cert},
		Revocation: []RevocationConfig{{Issuer: p.ca.cert, CRL: src}}, Clock: clock.Now})
	if _, err := c.Verify(p.leaf, at); err != nil {
		t.Fatal(err)
	}
	// The CA revokes the leaf; the cached CRL still holds until next.
	src.set(makeCRL(t, p.ca, 2, 0, next.Add(24*time.Hour), x509.RevocationListEntry{
		SerialNumber: p.leaf.SerialNumber, RevocationTime: at.Add(time.Hour), ReasonCode: int(ReasonKeyCompromise)}), nil)
	clock.Set(next.Add(-time.Second))
	if _, err := c.Verify(p.leaf, at.Add(2*time.Hour)); err != nil || src.count() != 1 {
		t.Fatalf("before nextUpdate: %v, %d fetches", err, src.count())
	}
	clock.Set(next.Add(time.Second))
	_, err := c.Verify(p.leaf, at.Add(2*time.Hour))
	var re *RevokedError
	if !errors.As(err, &re) || re.Reason != ReasonKeyCompromise || src.count() != 2 {
		t.Fatalf("after nextUpdate: %v, %d fetches", err, src.count())
	}
	// Before its revocation date the leaf was good.
	if _, err := c.Verify(p.leaf, at); err != nil {
		t.Fatalf("before revocation: %v", err)
	}
	// An older CRL number is refused once a newer one was seen.
	src.set(makeCRL(t, p.ca, 1, 0, next.Add(48*time.Hour)), nil)
	clock.Set(next.Add(25 * time.Hour))
	if _, err := c.Verify(p.leaf, at); !errors.Is(err, ErrRevocationUnknown) {
		t.Fatalf("rolled-back CRL: %v", err)
	}
}

func TestRSAOCSP(t *testing.T) {
	p := rsaPKIFor(t)
	var status int
	var revokedAt time.Time
	var forge bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := ocsp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		signer := p.ca
		if forge {
			// The root is no OCSP responder for the CA's certificates.
			signer = p.root
		}
		resp, err := ocsp.CreateResponse(p.ca.cert, signer.cert, ocsp.Response{
			Status: status, SerialNumber: req.SerialNumber, ThisUpdate: at.Add(-time.Hour), NextUpdate: at.Add(time.Hour),
			RevokedAt: revokedAt, RevocationReason: ocsp.KeyCompromise,
		}, signer.key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(resp)
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name      string
		status    int
		crl       []byte
		want      error
		state     RevocationState
		fromOCSP  bool
		revokedAt time.Time
		forge     bool
	}{
		{"good", ocsp.Good, nil, nil, Good, true, time.Time{}, false},
		{"revoked", ocsp.Revoked, nil, ErrRevoked, Revoked, true, at.Add(-time.Minute), false},
		{"unknown, no CRL", ocsp.Unknown, nil, ErrRevocationUnknown, Unknown, true, time.Time{}, false},
		{"unknown, CRL fallback", ocsp.Unknown, makeCRL(t, p.ca, 1, 0, at.Add(time.Hour)), nil, Good, false, time.Time{}, false},
		{"forged response", ocsp.Good, nil, ErrRevocationUnknown, Unknown, true, time.Time{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, revokedAt, forge = tc.status, tc.revokedAt, tc.forge
			cfg := RevocationConfig{Issuer: p.ca.cert, OCSP: srv.URL}
			if tc.crl != nil {
				cfg.CRL = &countingSource{name: "crl", data: tc.crl}
			}
			c, _ := New(Options{Roots: []*x509.Certificate{p.root.cert}, Intermediates: []*x509.Certificate{p.ca.cert},
				Revocation: []RevocationConfig{cfg}, Clock: func() time.Time { return at }, HTTPClient: srv.Client()})
			chain, err := c.Verify(p.leaf, at)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			st := chain.Revocation[0]
			if st.State != tc.state || (st.Source == "ocsp:"+srv.URL) != tc.fromOCSP {
				t.Fatalf("status %+v", st)
			}
		})
	}
}
