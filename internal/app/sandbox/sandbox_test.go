package sandbox_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/app/sandbox"
	"github.com/salyq/salyq/internal/ids"
	"github.com/salyq/salyq/internal/testkit"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
)

// TestForeignPKIRefused: two sandboxes made in two data directories have
// two unrelated test PKIs (what `salyq submit` without --keys made when
// pointed at another --data). A form signed with the first one's sample
// key is refused by the second with FORM_SIGNATURE, as SONO refuses a
// certificate it does not trust; signed with the second's own key, the
// same form is accepted.
func TestForeignPKIRefused(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	open := func(name string) app.Sandbox {
		sb, err := sandbox.Open(app.SandboxConfig{Dir: filepath.Join(t.TempDir(), name), Now: now, StatusStep: time.Hour, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		return sb
	}
	foreign, own := open("a"), open("b")
	hs := httptest.NewServer(own)
	t.Cleanup(hs.Close)

	keystore := func(sb app.Sandbox) *ncakey.Keystore {
		ks, err := ncakey.OpenKeystore(sb.KeystoreDir(), ncakey.KeystoreOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return ks
	}
	ownKeys := keystore(own)
	var transport, taxpayer *ncakey.Key
	for _, e := range ownKeys.Entries() {
		switch id := e.Key.Identity(); {
		case id.Role == ncakey.RoleInfoSystem:
			transport = e.Key
		case id.Role == ncakey.RoleIndividual && e.Key.CheckSign(now) == nil:
			taxpayer = e.Key
		}
	}
	if transport == nil || taxpayer == nil {
		t.Fatal("the sandbox keystore has no transport or individual SIGN key")
	}
	iin := taxpayer.Identity().IIN
	// The other sandbox's sample individual, with a form of their own: only
	// the certificate's issuer is wrong.
	foreignKey, err := keystore(foreign).ForTaxpayer(foreignIIN(t, keystore(foreign), now), now)
	if err != nil {
		t.Fatal(err)
	}
	send := func(signer *ncakey.Key, taxpayerID string, amount int) *envelope.Receipt {
		t.Helper()
		f, err := envelope.ParseForm(testkit.Form910(taxpayerID, envelope.KindRegular, amount), envelope.FormOptions{})
		if err != nil {
			t.Fatal(err)
		}
		signed, err := envelope.SignForm(ctx, f, signer.Signer(), envelope.SignOptions{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := envelope.ParseForm(signed, envelope.FormOptions{})
		if err != nil {
			t.Fatal(err)
		}
		codec := &envelope.Codec{Signer: transport.Signer(), NewID: ids.UUID}
		body, err := codec.EncodeRequest(ctx, &envelope.Request{
			Info: envelope.RequestInfo{ServiceID: envelope.ServiceSend, Sender: envelope.Sender{ID: "salyq", Password: "pw"}},
			Data: doc.Element(),
		})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(hs.URL+"/bip-sync-wss-gost/", "text/xml; charset=utf-8", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(resp.Body); err != nil {
			t.Fatal(err)
		}
		msg, err := envelope.ReadMessage(buf.Bytes())
		if err != nil {
			t.Fatalf("%v\n%s", err, buf.Bytes())
		}
		r, err := msg.Response()
		if err != nil {
			t.Fatalf("%v\n%s", err, buf.Bytes())
		}
		rc, err := envelope.ParseReceipt(r.Data)
		if err != nil {
			t.Fatal(err)
		}
		return rc
	}
	if rc := send(foreignKey, foreignKey.Identity().TaxpayerID(), 1000); rc.Error == nil || rc.Error.Code != envelope.CodeFormSignature {
		t.Fatalf("form signed with the other sandbox's key: %+v %+v", rc, rc.Error)
	}
	if rc := send(taxpayer, iin, 2000); rc.Error != nil || rc.RequestID == "" {
		t.Fatalf("form signed with the sandbox's own key: %+v", rc.Error)
	}
}

// foreignIIN is the IIN of an individual SIGN key of ks.
func foreignIIN(t *testing.T, ks *ncakey.Keystore, now time.Time) string {
	t.Helper()
	for _, e := range ks.Entries() {
		if id := e.Key.Identity(); id.Role == ncakey.RoleIndividual && e.Key.CheckSign(now) == nil {
			return id.IIN
		}
	}
	t.Fatal("no individual SIGN key")
	return ""
}
