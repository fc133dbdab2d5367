package gateway_test

import (
	"context"
	"crypto/x509"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testkit"

	"github.com/salyq/salyq/internal/testenv"

	"github.com/beevik/etree"
	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/internal/ids"
	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/internal/sonosim"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
)

var ctx = context.Background()

type testKeys struct {
	pki      *ncatest.PKI
	taxpayer *ncatest.Issued
	// transport signs requests; gateway signs the sandbox's answers; rogue
	// is a certificate the client does not expect answers from;
	// transportAuth is an AUTH-only key the sandbox refuses.
	transport, gateway, rogue, transportAuth *ncatest.Issued
}

// mustKeys hands out the package's keys, made once: RSA key generation is slow, so the
// information-system certificates share one private key.
var mustKeys = testenv.Lazy(func() (*testKeys, error) {
	pki, err := ncatest.New(ncatest.Options{})
	if err != nil {
		return nil, err
	}
	k := &testKeys{pki: pki}
	if k.taxpayer, err = pki.Issue(ncatest.Request{Role: ncakey.RoleIndividual, Usage: ncakey.UsageSign}); err != nil {
		return nil, err
	}
	if k.transport, err = pki.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem}); err != nil {
		return nil, err
	}
	reuse := k.transport.PrivateKey()
	if k.gateway, err = pki.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem, Surname: "ШЛЮЗ", Key: reuse}); err != nil {
		return nil, err
	}
	if k.rogue, err = pki.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem, Surname: "ЖАЛҒАН", Key: reuse}); err != nil {
		return nil, err
	}
	if k.transportAuth, err = pki.Issue(ncatest.Request{Role: ncakey.RoleInfoSystem, Usage: ncakey.UsageAuth, Key: reuse}); err != nil {
		return nil, err
	}
	return k, nil
})

// clock is a settable clock.
type clock = testenv.Clock

// sim is the sandbox gateway behind a real HTTP server.
type sim struct {
	srv   *sonosim.Server
	hs    *httptest.Server
	url   string
	clock *clock
}

func newSim(t *testing.T, faults sonosim.Faults, configure func(*sonosim.Config)) *sim {
	t.Helper()
	k := mustKeys(t)
	c := testenv.NewClock(time.Now())
	cfg := sonosim.Config{
		Gateway:    k.gateway.Signer(),
		Trust:      []*x509.Certificate{k.pki.Root()},
		Clock:      c.Now,
		StatusStep: time.Hour,
		Seed:       3,
		Faults:     faults,
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
	return &sim{srv: srv, hs: hs, url: hs.URL + "/bip-sync-wss-gost/", clock: c}
}

// client returns a client of url that trusts answers signed by the
// sandbox's gateway key, signing with transport.
func client(t *testing.T, url string, edit func(*gateway.Config)) *gateway.Client {
	t.Helper()
	k := mustKeys(t)
	cfg := gateway.Config{
		URL:          url,
		Timeout:      5 * time.Second,
		Codec:        &envelope.Codec{Signer: k.transport.Signer(), NewID: ids.UUID},
		Sender:       envelope.Sender{ID: "salyq-test", Password: "pw"},
		GatewayCerts: []*x509.Certificate{k.gateway.Certificate()},
	}
	if edit != nil {
		edit(&cfg)
	}
	return gateway.NewClient(cfg)
}

// form returns a taxpayer-signed 910.00 filing; amount tells filings
// apart.
func form(t *testing.T, kind envelope.Kind, amount int) *etree.Element {
	t.Helper()
	k := mustKeys(t)
	iin := k.taxpayer.Identity().IIN
	f, err := envelope.ParseForm(testkit.Form910(iin, kind, amount), envelope.FormOptions{})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := envelope.SignForm(ctx, f, k.taxpayer.Signer(), envelope.SignOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(signed); err != nil {
		t.Fatal(err)
	}
	return doc.Root()
}
