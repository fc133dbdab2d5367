package intake_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/xmldsig"
)

// badForms are refused at intake, each naming the field or check.
func badForms(t *testing.T) []struct {
	name  string
	data  []byte
	field string
	is    error
} {
	g := good(t)
	text := string(g.build())
	id := g.taxpayer
	wrongDigit := id[:11] + string(rune('0'+(id[11]-'0'+1)%10))
	version := g
	version.version = "26"
	future := g
	future.year = 2027
	noKey := g
	noKey.taxpayer = ncatest.NewIIN(4242)
	otherSigned, err := envelope.SignForm(ctx, parse(t, g.build()), mustKeys(t).taxpayer.Signer(), envelope.SignOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(otherSigned, []byte(">1000000<"), []byte(">1000001<"), 1)
	if bytes.Equal(tampered, otherSigned) {
		t.Fatal("could not tamper with the signed form")
	}
	return []struct {
		name  string
		data  []byte
		field string
		is    error
	}{
		{"malformed", []byte("<fno code="), "document", envelope.ErrMalformedXML},
		{"DOCTYPE", []byte(`<!DOCTYPE fno [<!ENTITY x "y">]><fno/>`), "DOCTYPE", envelope.ErrMalformedXML},
		{"bad IIN check digit", []byte(strings.Replace(text, id, wrongDigit, 1)), "iin", envelope.ErrInvalidForm},
		{"unknown version", version.build(), "fno/@version", envelope.ErrUnknownTemplate},
		{"period outside the window", future.build(), "period", envelope.ErrUnknownTemplate},
		{"unknown field", []byte(strings.Replace(text, `<field name="currency_code">`, `<field name="no_such">1</field><field name="currency_code">`, 1)), "no_such", envelope.ErrInvalidForm},
		{"taxpayer without a key", noKey.build(), "iin", ncakey.ErrNoKey},
		{"signed, then changed", tampered, "DigestValue", xmldsig.ErrDigestMismatch},
	}
}

func TestSubmitRefuses(t *testing.T) {
	r := newRig(t)
	for _, tc := range badForms(t) {
		t.Run(tc.name, func(t *testing.T) {
			res, err := r.in.Submit(ctx, tc.data)
			if err == nil {
				t.Fatalf("accepted: %+v", res)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("err %v, want %v", err, tc.is)
			}
			ref := intake.RefusalOf(err)
			if ref.Error == "" || ref.Field != tc.field {
				t.Errorf("refusal %+v, want field %q", ref, tc.field)
			}
			if tc.field != "" && ref.Reason == "" {
				t.Errorf("refusal without a reason: %+v", ref)
			}
		})
	}
	if n := r.queued(t); n != 0 {
		t.Errorf("refused forms left %d messages in %s", n, streams.Submissions)
	}
	if all, err := r.board.All(ctx); err != nil || len(all) != 0 {
		t.Errorf("refused forms left views on the board: %v %v", all, err)
	}
}

func TestSubmitTwice(t *testing.T) {
	r := newRig(t)
	data := good(t).build()
	first, err := r.in.Submit(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if first.Duplicate || first.Taxpayer != iin(t) || first.Form != "910.00" || first.Period != "2025-H1" || first.Kind != string(envelope.KindRegular) {
		t.Errorf("first submission %+v", first)
	}
	again, err := r.in.Submit(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Duplicate || again.ID != first.ID {
		t.Errorf("second submission %+v, want a duplicate of %s", again, first.ID)
	}
	h, err := r.board.History(ctx, first.ID)
	if err != nil || len(h) != 1 || h[0].To != "queued" || h[0].Taxpayer != first.Taxpayer {
		t.Errorf("history %+v %v, want one queued event of the taxpayer", h, err)
	}
	// Without the board's view (say, lost), JetStream's duplicate window
	// still drops it.
	if err := r.set.State.Delete(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	third, err := r.in.Submit(ctx, signed(t, data))
	if err != nil {
		t.Fatal(err)
	}
	if !third.Duplicate || third.ID != first.ID {
		t.Errorf("third submission %+v, want a duplicate", third)
	}
	if n := r.queued(t); n != 1 {
		t.Errorf("%d messages queued, want 1", n)
	}

}

// TestSubmitSigned: a form the ERP signed already is checked and queued
// as it is, byte for byte.
func TestSubmitSigned(t *testing.T) {
	r := newRig(t)
	data := signed(t, good(t).build())
	res, err := r.in.Submit(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	m := lastMessage(t, r)
	if !bytes.Equal(m.Data, data) {
		t.Errorf("queued bytes differ from the signed input")
	}
	if m.Subject != streams.SubmitSubject(iin(t)) || m.Header.Get(jetstream.MsgIDHeader) != res.ID || m.Header.Get(streams.HeaderID) != res.ID ||
		m.Header.Get(streams.HeaderTaxpayer) != iin(t) || m.Header.Get(streams.HeaderForm) != "910.00" ||
		m.Header.Get(streams.HeaderPeriod) != "2025-H1" || m.Header.Get(streams.HeaderKind) != string(envelope.KindRegular) {
		t.Errorf("queued as %s with headers %v", m.Subject, m.Header)
	}
}

// TestSubmitSigns: an unsigned form is queued signed by the taxpayer's
// key from the keystore, and the board shows it queued.
func TestSubmitSigns(t *testing.T) {
	r := newRig(t)
	res, err := r.in.Submit(ctx, good(t).build())
	if err != nil {
		t.Fatal(err)
	}
	m := lastMessage(t, r)
	sf, err := envelope.VerifyForm(m.Data, envelope.VerifyOptions{Now: time.Now()})
	if err != nil {
		t.Fatalf("queued form does not verify: %v", err)
	}
	if !sf.Certificate.Equal(mustKeys(t).taxpayer.Certificate()) {
		t.Error("queued form not signed with the taxpayer's key")
	}
	v, err := r.board.Get(ctx, res.ID)
	if err != nil || v.Status != "queued" || v.Taxpayer != iin(t) || v.Period != "2025-H1" {
		t.Errorf("board view %+v %v", v, err)
	}
	if _, err := r.board.Get(ctx, "nope"); !errors.Is(err, board.ErrNotFound) {
		t.Errorf("unknown view: %v", err)
	}
}

// TestSubmitSignedByAnother: a form signed by someone other than its
// taxpayer is refused, and a form signed by its own taxpayer needs no key
// in the keystore.
func TestSubmitSignedByAnother(t *testing.T) {
	r := newRig(t)
	k := mustKeys(t)
	own := good(t)
	own.taxpayer = k.other.Identity().IIN
	ownSigned, err := envelope.SignForm(ctx, parse(t, own.build()), k.other.Signer(), envelope.SignOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.in.Submit(ctx, ownSigned); err != nil {
		t.Fatalf("a form signed by its own taxpayer: %v", err)
	}
	// The first taxpayer's form with the other's signature; SignForm
	// refuses to make one, so sign it directly.
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(good(t).build()); err != nil {
		t.Fatal(err)
	}
	root := doc.Root()
	if _, err := xmldsig.Sign(ctx, k.other.Signer(), xmldsig.SignSpec{
		C14N:       xmldsig.C14N10,
		References: []xmldsig.Reference{{URI: "", Target: root, Transforms: []string{xmldsig.TransformEnveloped, xmldsig.C14N10}}},
		KeyInfo:    []*etree.Element{xmldsig.X509DataKeyInfo(k.other.Certificate().Raw)},
		Attach:     func(sig *etree.Element) { root.AddChild(sig) },
	}); err != nil {
		t.Fatal(err)
	}
	forged, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.in.Submit(ctx, forged)
	if !errors.Is(err, envelope.ErrKeyNotAllowed) {
		t.Fatalf("err %v, want ErrKeyNotAllowed", err)
	}
	if ref := intake.RefusalOf(err); ref.Field == "" || ref.Reason == "" {
		t.Errorf("refusal %+v names no check", ref)
	}
	if n := r.queued(t); n != 1 {
		t.Errorf("%d queued, want 1", n)
	}
}

func lastMessage(t *testing.T, r *rig) *jetstream.RawStreamMsg {
	t.Helper()
	info, err := r.set.Submissions.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Fatalf("%d messages queued, want 1", info.State.Msgs)
	}
	m, err := r.set.Submissions.GetMsg(ctx, info.State.LastSeq)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSubmitCheckKey: a signer certificate refused by the chain or
// revocation check is refused naming the certificate, for a form signed
// here and for one signed by the ERP; nothing is queued.
func TestSubmitCheckKey(t *testing.T) {
	r := newRig(t)
	revoked := errors.New("certificate revoked")
	var checked []*x509.Certificate
	in := intake.New(intake.Config{JS: r.js, Board: r.board, Keys: r.keys, Templates: r.templates, Clock: time.Now,
		CheckKey: func(_ context.Context, cert *x509.Certificate, _ time.Time) error {
			checked = append(checked, cert)
			return revoked
		}})
	for _, data := range [][]byte{good(t).build(), signed(t, good(t).build())} {
		_, err := in.Submit(ctx, data)
		if !errors.Is(err, revoked) {
			t.Fatalf("err %v, want the check's error", err)
		}
		if ref := intake.RefusalOf(err); ref.Field != "certificate" || !strings.Contains(ref.Reason, "revoked") {
			t.Errorf("refusal %+v", ref)
		}
	}
	if len(checked) != 2 || !checked[0].Equal(mustKeys(t).taxpayer.Certificate()) || !checked[1].Equal(mustKeys(t).taxpayer.Certificate()) {
		t.Errorf("checked %d certificates, want the taxpayer's twice", len(checked))
	}
	if n := r.queued(t); n != 0 {
		t.Errorf("%d queued, want 0", n)
	}
}

// TestSubmitPassesOverRefusedKey: when the taxpayer's preferred key is
// refused by the check (revoked, say), the form is signed with the next
// key of the same taxpayer; when every key is refused, the preferred
// key's refusal is returned.
func TestSubmitPassesOverRefusedKey(t *testing.T) {
	r := newRig(t)
	k := mustKeys(t)
	renewed, err := k.pki.Issue(ncatest.Request{Role: ncakey.RoleIndividual, Usage: ncakey.UsageSign, IIN: iin(t),
		Key: k.taxpayer.PrivateKey(), NotAfter: k.taxpayer.Certificate().NotAfter.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, is := range map[string]*ncatest.Issued{"old.p12": k.taxpayer, "renewed.p12": renewed} {
		if err := is.WriteP12(filepath.Join(dir, name), "pw"); err != nil {
			t.Fatal(err)
		}
	}
	ks, err := ncakey.OpenKeystore(dir, ncakey.KeystoreOptions{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if best, err := ks.ForTaxpayer(iin(t), time.Now()); err != nil || !best.Certificate().Equal(renewed.Certificate()) {
		t.Fatalf("precondition: the renewed key must be preferred (%v)", err)
	}
	refuse := map[string]bool{renewed.Certificate().SerialNumber.String(): true}
	in := intake.New(intake.Config{JS: r.js, Board: r.board, Keys: ks, Templates: r.templates, Clock: time.Now,
		CheckKey: func(_ context.Context, cert *x509.Certificate, _ time.Time) error {
			if refuse[cert.SerialNumber.String()] {
				return fmt.Errorf("certificate %s revoked", cert.SerialNumber)
			}
			return nil
		}})

	res, err := in.Submit(ctx, good(t).build())
	if err != nil {
		t.Fatalf("submit with one of two keys revoked: %v", err)
	}
	msg, err := r.set.Submissions.GetLastMsgForSubject(ctx, streams.SubmitSubject(iin(t)))
	if err != nil || msg.Header.Get(streams.HeaderID) != res.ID {
		t.Fatalf("queued message: %v", err)
	}
	sf, err := envelope.VerifyForm(msg.Data, envelope.VerifyOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if !sf.Certificate.Equal(k.taxpayer.Certificate()) {
		t.Errorf("signed with serial %s, want the key that is not revoked", sf.Certificate.SerialNumber)
	}

	refuse[k.taxpayer.Certificate().SerialNumber.String()] = true
	spec := good(t)
	spec.income++
	_, err = in.Submit(ctx, spec.build())
	if ref := intake.RefusalOf(err); err == nil || !strings.Contains(ref.Reason, renewed.Certificate().SerialNumber.String()) {
		t.Errorf("every key revoked: %v, want the preferred key's refusal", err)
	}
}
