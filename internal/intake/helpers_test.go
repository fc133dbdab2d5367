package intake_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"
	"github.com/salyq/salyq/internal/testkit"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/salyq/salyq/internal/board"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/internal/streams"
	"github.com/salyq/salyq/pkg/envelope"
	"github.com/salyq/salyq/pkg/ncakey"
)

var ctx = context.Background()

type testKeys struct {
	pki *ncatest.PKI
	// taxpayer has a key in the keystore; other is a second taxpayer
	// whose key is not in it.
	taxpayer, other *ncatest.Issued
}

// mustKeys hands out the package's keys, made once: RSA key generation is slow.
var mustKeys = testenv.Lazy(func() (*testKeys, error) {
	pki, err := ncatest.New(ncatest.Options{})
	if err != nil {
		return nil, err
	}
	k := &testKeys{pki: pki}
	if k.taxpayer, err = pki.Issue(ncatest.Request{Role: ncakey.RoleIndividual, Usage: ncakey.UsageSign}); err != nil {
		return nil, err
	}
	if k.other, err = pki.Issue(ncatest.Request{Role: ncakey.RoleIndividual, Usage: ncakey.UsageSign, Key: k.taxpayer.PrivateKey()}); err != nil {
		return nil, err
	}
	return k, nil
})

func iin(t testing.TB) string { return mustKeys(t).taxpayer.Identity().IIN }

// rig is an intake on a real nats-server in the test process and a real
// keystore directory holding the taxpayer's key.
type rig struct {
	in        *intake.Intake
	js        jetstream.JetStream
	set       *streams.Set
	board     *board.Board
	keys      *ncakey.Keystore
	templates *envelope.Templates
}

func newRig(t *testing.T) *rig {
	t.Helper()
	js, set := testkit.JetStream(t)
	return newRigOn(t, js, set, nil)
}

// newRigOn is newRig on a JetStream of the test's own, with the intake's
// configuration changed by config, if not nil.
func newRigOn(t *testing.T, js jetstream.JetStream, set *streams.Set, config func(*intake.Config)) *rig {
	t.Helper()
	k := mustKeys(t)
	dir := t.TempDir()
	if err := k.taxpayer.WriteP12(filepath.Join(dir, "taxpayer.p12"), "pw"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ncakey.PasswordsFile), []byte("taxpayer.p12 pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ks, err := ncakey.OpenKeystore(dir, ncakey.KeystoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p := ks.Problems(); len(p) > 0 {
		t.Fatalf("keystore problems: %v", p)
	}
	ts, err := envelope.LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	b := board.New(js, set)
	cfg := intake.Config{JS: js, Board: b, Keys: ks, Templates: ts, Clock: time.Now}
	if config != nil {
		config(&cfg)
	}
	return &rig{
		in: intake.New(cfg),
		js: js, set: set, board: b, keys: ks, templates: ts,
	}
}

// queued is how many messages SALYQ_SUBMISSIONS holds.
func (r *rig) queued(t *testing.T) uint64 {
	t.Helper()
	info, err := r.set.Submissions.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// spec describes a 910.00 form.
type spec struct {
	taxpayer string
	year     int
	half     int
	kind     envelope.Kind
	income   int
	version  string
}

func (s spec) sheets() []envelope.Sheet {
	y, h := fmt.Sprint(s.year), fmt.Sprint(s.half)
	return []envelope.Sheet{
		{Name: "page_910_00_01", Fields: []envelope.FieldValue{
			{Name: "iin", Value: s.taxpayer},
			{Name: "period_year", Value: y},
			{Name: "period_half_year", Value: h},
			{Name: string(s.kind), Value: "1"},
			{Name: "currency_code", Value: "398"},
			{Name: "payer_name1", Value: "ТЕСТОВ"},
			{Name: "field_910_00_001", Value: fmt.Sprint(s.income)},
			{Name: "field_910_00_004", Value: fmt.Sprint(s.income * 3 / 100)},
		}},
		{Name: "page_910_00_02", Fields: []envelope.FieldValue{
			{Name: "period_year", Value: y},
			{Name: "period_half_year", Value: h},
		}},
		{Name: "page_910_00_04", Fields: []envelope.FieldValue{
			{Name: "head_name", Value: "ТЕСТОВ"},
			{Name: "submit_date", Value: "10.02." + fmt.Sprint(s.year+1)},
		}},
	}
}

func (s spec) build() []byte {
	v := s.version
	if v == "" {
		v = "27"
	}
	return envelope.BuildForm("910.00", v, s.sheets())
}

func good(t testing.TB) spec {
	return spec{taxpayer: iin(t), year: 2025, half: 1, kind: envelope.KindRegular, income: 1_000_000}
}

func parse(t *testing.T, data []byte) *envelope.Form {
	t.Helper()
	f, err := envelope.ParseForm(data, envelope.FormOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// signed is the form signed by the taxpayer, as an ERP would send it.
func signed(t *testing.T, data []byte) []byte {
	t.Helper()
	out, err := envelope.SignForm(ctx, parse(t, data), mustKeys(t).taxpayer.Signer(), envelope.SignOptions{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
