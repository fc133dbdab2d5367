package ncakey_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/pkg/ncakey"
	"github.com/salyq/salyq/pkg/xmldsig"
)

const commonPW = "common-Pw-1"

type storeFiles struct {
	dir    string
	signer *ncatest.Issued // legal-entity right-to-sign key, valid longer than the head's
	test   *ncatest.Issued // key with NCA test identifiers
}

// writeStore lays out a keystore directory with meaningless file names,
// one file with its own password, a corrupt file, a file whose password
// is wrong, and files the keystore must ignore.
func writeStore(t *testing.T, f *fixture) storeFiles {
	t.Helper()
	dir := t.TempDir()
	signer, err := f.pki.Issue(ncatest.Request{
		Role: ncakey.RoleSigner, IIN: ncatest.NewIIN(500), BIN: f.set.HeadSign.Identity().BIN,
		NotAfter: f.set.HeadSign.Certificate().NotAfter.Add(24 * time.Hour), Key: f.set.IndividualAuth.PrivateKey(),
	})
	if err != nil {
		t.Fatal(err)
	}
	test, err := f.pki.Issue(ncatest.Request{Role: ncakey.RoleIndividual, IIN: ncakey.TestIIN, Key: f.reuseKey()})
	if err != nil {
		t.Fatal(err)
	}
	files := []struct {
		name string
		is   *ncatest.Issued
		pw   string
	}{
		{"k1.p12", f.set.IndividualSign, "own-Pw-1"},
		{"k2.p12", f.set.IndividualAuth, commonPW},
		{"k3.P12", f.set.ExpiredSign, commonPW},
		{"k4.p12", f.set.HeadSign, commonPW},
		{"k5.p12", f.set.HeadAuth, commonPW},
		{"k6.p12", f.set.InfoSystem, commonPW},
		{"k7.p12", signer, commonPW},
		{"k8.p12", test, commonPW},
		{"wrongpw.p12", f.set.HeadSign, "Actual-Secret-77"},
	}
	for _, fl := range files {
		if err := fl.is.WriteP12(filepath.Join(dir, fl.name), fl.pw); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("corrupt.p12", "not a container at all")
	write("readme.txt", "ignored")
	if err := os.Mkdir(filepath.Join(dir, "sub.p12"), 0o700); err != nil {
		t.Fatal(err)
	}
	write(ncakey.PasswordsFile, "# keystore passwords\n\nk1.p12 own-Pw-1\n  wrongpw.p12\tListed-Wrong-55  \n")
	return storeFiles{dir: dir, signer: signer, test: test}
}

func TestKeystore(t *testing.T) {
	f := getFixture(t)
	sf := writeStore(t, f)
	ks, err := ncakey.OpenKeystore(sf.dir, ncakey.KeystoreOptions{Password: commonPW})
	if err != nil {
		t.Fatal(err)
	}

	var loaded []string
	for _, e := range ks.Entries() {
		loaded = append(loaded, e.File)
	}
	if got, want := strings.Join(loaded, " "), "k1.p12 k2.p12 k3.P12 k4.p12 k5.p12 k6.p12 k7.p12"; got != want {
		t.Errorf("loaded %q, want %q", got, want)
	}

	problems := map[string]error{}
	for _, p := range ks.Problems() {
		problems[p.File] = p.Err
	}
	if len(problems) != 3 {
		t.Errorf("problems %v, want corrupt.p12, k8.p12, wrongpw.p12", ks.Problems())
	}
	wantErr(t, problems["corrupt.p12"], ncakey.ErrMalformed)
	wantErr(t, problems["k8.p12"], ncakey.ErrTestIdentifier)
	wantErr(t, problems["wrongpw.p12"], ncakey.ErrWrongPassword)
	for _, p := range ks.Problems() {
		for _, pw := range []string{"Listed-Wrong-55", "Actual-Secret-77", commonPW, "own-Pw-1"} {
			if strings.Contains(p.String(), pw) {
				t.Errorf("problem %q leaks a password", p)
			}
		}
	}

	now := f.pki.Now()
	iin := f.set.IndividualSign.Identity().IIN
	bin := f.set.HeadSign.Identity().BIN
	expiredAt := f.set.ExpiredSign.Certificate().NotBefore.Add(time.Hour)
	tests := []struct {
		name string
		id   string
		at   time.Time
		want *ncatest.Issued
		err  error
	}{
		{"individual: valid SIGN over AUTH and expired", iin, now, f.set.IndividualSign, nil},
		{"individual: the old key when it was valid", iin, expiredAt, f.set.ExpiredSign, nil},
		{"legal entity: head over right-to-sign, AUTH and info system", bin, now, f.set.HeadSign, nil},
		{"legal entity: right-to-sign after the head's key expired", bin, f.set.HeadSign.Certificate().NotAfter.Add(time.Hour), sf.signer, nil},
		{"head's own IIN is no taxpayer of a legal key", f.set.HeadSign.Identity().IIN, now, nil, ncakey.ErrNoKey},
		{"everything expired", iin, now.AddDate(5, 0, 0), nil, ncakey.ErrNoKey},
		{"unknown taxpayer", ncatest.NewIIN(999), now, nil, ncakey.ErrNoKey},
		{"malformed id", "12345", now, nil, ncakey.ErrInvalidIdentifier},
		{"test id without the switch", ncakey.TestIIN, now, nil, ncakey.ErrTestIdentifier},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ks.ForTaxpayer(tc.id, tc.at)
			if tc.err != nil {
				wantErr(t, err, tc.err)
				var nk *ncakey.NoKeyError
				if errors.Is(tc.err, ncakey.ErrNoKey) && (!errors.As(err, &nk) || nk.ID != tc.id || !strings.Contains(err.Error(), tc.id)) {
					t.Fatalf("error %v does not name %s", err, tc.id)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !k.Certificate().Equal(tc.want.Certificate()) {
				t.Fatalf("got %v (until %v), want %v (until %v)", k.Identity(), k.Identity().NotAfter, tc.want.Identity(), tc.want.Identity().NotAfter)
			}
			if err := k.CheckSign(tc.at); err != nil {
				t.Fatal(err)
			}
		})
	}

	_, err = ks.ForTaxpayer(iin, now.AddDate(5, 0, 0))
	if !strings.Contains(err.Error(), "1 AUTH-only") || !strings.Contains(err.Error(), "2 expired") {
		t.Errorf("no-key detail: %v", err)
	}

	is, err := ks.ForInfoSystem(bin, now)
	if err != nil || !is.Certificate().Equal(f.set.InfoSystem.Certificate()) {
		t.Errorf("ForInfoSystem = %v, %v", is, err)
	}
	if _, err := ks.ForInfoSystem(iin, now); !errors.Is(err, ncakey.ErrNoKey) {
		t.Errorf("ForInfoSystem(individual) = %v", err)
	}
}

func TestKeystoreTestIdentities(t *testing.T) {
	f := getFixture(t)
	sf := writeStore(t, f)
	ks, err := ncakey.OpenKeystore(sf.dir, ncakey.KeystoreOptions{Password: commonPW, AllowTestIdentities: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ks.Problems() {
		if p.File == "k8.p12" {
			t.Errorf("test identity refused: %v", p)
		}
	}
	k, err := ks.ForTaxpayer(ncakey.TestIIN, f.pki.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !k.Identity().Test || !k.Certificate().Equal(sf.test.Certificate()) {
		t.Errorf("got %v", k.Identity())
	}
}

// TestKeystoreLoaderPlugs: a loader for another key type plugs in through
// KeystoreOptions.Load and NewKey; callers see ordinary Keys.
func TestKeystoreLoaderPlugs(t *testing.T) {
	f := getFixture(t)
	sf := writeStore(t, f)
	var mu sync.Mutex
	calls := map[string]int{}
	load := func(data []byte, password string) (*ncakey.Key, error) {
		mu.Lock()
		calls[password]++
		mu.Unlock()
		k, err := ncakey.Parse(data, password)
		if err != nil {
			return nil, err
		}
		return ncakey.NewKey(otherSigner{k.Signer()}, k.Chain())
	}
	ks, err := ncakey.OpenKeystore(sf.dir, ncakey.KeystoreOptions{Password: commonPW, Load: load})
	if err != nil {
		t.Fatal(err)
	}
	if calls["own-Pw-1"] != 1 || calls["Listed-Wrong-55"] != 1 || calls[commonPW] != 8 {
		t.Errorf("loader calls by password: %d own, %d listed, %d common", calls["own-Pw-1"], calls["Listed-Wrong-55"], calls[commonPW])
	}
	k, err := ks.ForTaxpayer(f.set.IndividualSign.Identity().IIN, f.pki.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := k.Signer().(otherSigner); !ok {
		t.Errorf("signer %T, want the plugged-in type", k.Signer())
	}
}

type otherSigner struct{ xmldsig.Signer }

func TestKeystoreNoPasswordsFile(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	if err := f.set.HeadSign.WriteP12(filepath.Join(dir, "a.p12"), commonPW); err != nil {
		t.Fatal(err)
	}
	ks, err := ncakey.OpenKeystore(dir, ncakey.KeystoreOptions{Password: commonPW})
	if err != nil || len(ks.Entries()) != 1 || len(ks.Problems()) != 0 {
		t.Fatalf("OpenKeystore: %v, %d entries, problems %v", err, len(ks.Entries()), ks.Problems())
	}
	ks, err = ncakey.OpenKeystore(dir, ncakey.KeystoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p := ks.Problems(); len(p) != 1 || !errors.Is(p[0].Err, ncakey.ErrWrongPassword) {
		t.Errorf("no password configured: problems %v", p)
	}
}

func TestKeystorePasswordsFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		openErr bool
		problem string // file reported in Problems
	}{
		{"line without password", "a.p12\n", true, ""},
		{"listed twice", "a.p12 x\na.p12 y\n", true, ""},
		{"listed twice, swapped", "secret-Twice a.p12\nsecret-Twice b.p12\n", true, ""},
		{"listed but missing", "missing.p12 secret-Missing\n", false, "passwords line 1"},
		// The password in the first column would be taken for a file name.
		{"columns swapped", "# keys\nsecret-Swapped a.p12\n", false, "passwords line 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, ncakey.PasswordsFile), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			ks, err := ncakey.OpenKeystore(dir, ncakey.KeystoreOptions{})
			if tc.openErr {
				wantErr(t, err, ncakey.ErrPasswords)
				if strings.Contains(err.Error(), " x") || strings.Contains(err.Error(), " y") || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "line") {
					t.Fatalf("error %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p := ks.Problems()
			if len(p) != 1 || p[0].File != tc.problem || !errors.Is(p[0].Err, ncakey.ErrPasswords) || strings.Contains(p[0].String(), "secret") {
				t.Fatalf("problems %v", p)
			}
		})
	}
	if _, err := ncakey.OpenKeystore(filepath.Join(t.TempDir(), "nope"), ncakey.KeystoreOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing dir: %v", err)
	}
}

// TestKeystoreRealNCAContainers: every NCA Kalkan container opens with
// its GOST 2015-512 key, is indexed by the identity in its certificate,
// and signs what xmldsig then verifies. NCA's test identifiers are refused
// unless test identities are enabled.
func TestKeystoreRealNCAContainers(t *testing.T) {
	dir := filepath.Join(ncaTestdata(t), "p12")
	want, err := filepath.Glob(filepath.Join(dir, "*.p12"))
	if err != nil || len(want) != 6 {
		t.Fatalf("NCA containers: %v, %v", want, err)
	}
	ks, err := ncakey.OpenKeystore(dir, ncakey.KeystoreOptions{Password: "Qwerty12", AllowTestIdentities: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ks.Entries()) != len(want) || len(ks.Problems()) != 0 {
		t.Fatalf("%d entries, problems %v", len(ks.Entries()), ks.Problems())
	}
	for _, e := range ks.Entries() {
		if e.Key.Signer().Algorithm().SignatureURI != xmldsig.SignatureGOST2015512 {
			t.Errorf("%s: algorithm %s", e.File, e.Key.Signer().Algorithm().Name)
		}
		if !e.Key.Identity().Test {
			t.Errorf("%s: identity %v not flagged as NCA test", e.File, e.Key.Identity())
		}
	}
	at := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	head, err := ks.ForTaxpayer(ncakey.TestBIN, at)
	if err != nil {
		t.Fatal(err)
	}
	if head.Identity().Role != ncakey.RoleHead {
		t.Errorf("BIN %s resolves to %v, want the head", ncakey.TestBIN, head.Identity())
	}
	person, err := ks.ForTaxpayer(ncakey.TestIIN, at)
	if err != nil || person.Identity().Role != ncakey.RoleIndividual {
		t.Fatalf("IIN %s: %v %v", ncakey.TestIIN, person, err)
	}
	// The GOST signature verifies with xmldsig, through an enveloped
	// signature over a small document.
	doc := etree.NewDocument()
	root := doc.CreateElement("test")
	root.CreateElement("message").SetText("Hello")
	if _, err := xmldsig.Sign(context.Background(), person.Signer(), xmldsig.SignSpec{
		C14N:       xmldsig.C14N10,
		References: []xmldsig.Reference{{Target: root, Transforms: []string{xmldsig.TransformEnveloped, xmldsig.C14N10}}},
		KeyInfo:    []*etree.Element{xmldsig.X509DataKeyInfo(person.Certificate().Raw)},
		Attach:     func(sig *etree.Element) { root.AddChild(sig) },
	}); err != nil {
		t.Fatal(err)
	}
	sig := xmldsig.FindSignatures(root)[0]
	if _, err := xmldsig.Verify(sig, person.Certificate(), func(string) (*etree.Element, error) { return root, nil }); err != nil {
		t.Fatalf("GOST signature made with the NCA key: %v", err)
	}

	strict, err := ncakey.OpenKeystore(dir, ncakey.KeystoreOptions{Password: "Qwerty12"})
	if err != nil {
		t.Fatal(err)
	}
	if len(strict.Entries()) != 0 || len(strict.Problems()) != len(want) {
		t.Fatalf("strict keystore: %d entries, %d problems", len(strict.Entries()), len(strict.Problems()))
	}
	// A wrong password is told apart.
	ks, err = ncakey.OpenKeystore(dir, ncakey.KeystoreOptions{Password: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ks.Problems() {
		if !errors.Is(p.Err, ncakey.ErrWrongPassword) {
			t.Errorf("%s: %v", p.File, p.Err)
		}
	}
}

func TestKeystoreConcurrentUse(t *testing.T) {
	f := getFixture(t)
	sf := writeStore(t, f)
	ks, err := ncakey.OpenKeystore(sf.dir, ncakey.KeystoreOptions{Password: commonPW})
	if err != nil {
		t.Fatal(err)
	}
	iin := f.set.IndividualSign.Identity().IIN
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			k, err := ks.ForTaxpayer(iin, f.pki.Now())
			if err == nil {
				_, err = k.Signer().Sign(context.Background(), []byte("m"))
			}
			_ = ks.Problems()
			_ = ks.Entries()
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestPasswordFromEnv(t *testing.T) {
	t.Setenv(ncakey.PasswordEnv, "from-env")
	if pw, ok := ncakey.PasswordFromEnv(); !ok || pw != "from-env" {
		t.Errorf("PasswordFromEnv = %q, %v", pw, ok)
	}
}
