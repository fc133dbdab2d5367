package envelope

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"

	"github.com/salyq/salyq/internal/ncatest"
)

// testNow is the fixed clock of every test: inside the keys' validity and
// after Kazakhstan's move to UTC+5.
var testNow = time.Date(2025, 7, 15, 10, 0, 0, 0, time.UTC)

type testKeys struct {
	pki *ncatest.PKI
	set *ncatest.Set
}

// mustKeys hands out one test PKI for the whole package: RSA key generation is
// the slow part of these tests.
var mustKeys = testenv.Lazy(func() (*testKeys, error) {
	pki, err := ncatest.New(ncatest.Options{Now: testNow.Add(-24 * time.Hour)})
	if err != nil {
		return nil, err
	}
	set, err := pki.IssueSet()
	if err != nil {
		return nil, err
	}
	return &testKeys{pki: pki, set: set}, nil
})

// sampleSheets is a 910.00 first-half-year 2025 regular filing of taxpayer
// id; extra fields are appended to the first sheet.
func sampleSheets(id string, extra ...FieldValue) []Sheet {
	first := []FieldValue{
		{"iin", id},
		{"period_year", "2025"},
		{"period_half_year", "1"},
		{"dt_regular", "1"},
		{"currency_code", "398"},
		{"payer_name1", "ТЕСТОВ ТЕСТ"},
		{"field_910_00_001", "1500000"},
		{"field_910_00_004", "45000"},
	}
	return []Sheet{
		{Name: "page_910_00_01", Fields: append(first, extra...)},
		{Name: "page_910_00_02", Fields: []FieldValue{{"period_year", "2025"}, {"period_half_year", "1"}}},
		{Name: "page_910_00_04", Fields: []FieldValue{{"period_year", "2025"}, {"period_half_year", "1"}, {"head_name", "ТЕСТОВ ТЕСТ"}, {"submit_date", "14.08.2025"}}},
	}
}

func sampleForm(t testing.TB, id string, extra ...FieldValue) *Form {
	t.Helper()
	f, err := ParseForm(BuildForm("910.00", "27", sampleSheets(id, extra...)), FormOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// bigForm is a form of about size bytes: many numeric fields spread over
// the sheets, as a large real filing would have.
func bigForm(t testing.TB, id string, size int) *Form {
	t.Helper()
	sheets := sampleSheets(id)
	tmpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := tmpl.Lookup("910.00", "27")
	n := 0
	for len(BuildForm("910.00", "27", sheets)) < size {
		name := fmt.Sprintf("field_910_00_%03d", n%16+1)
		if _, ok := spec.Fields[name]; !ok {
			name = "field_910_00_001"
		}
		// A field repeated must repeat its value: n%16 fixes field and
		// value alike, and the sample's own values are kept.
		page, value := fmt.Sprintf("page_910_00_%02d", n%4+1), fmt.Sprint(1000+n%16)
		for _, sh := range sheets[:3] {
			for _, fv := range sh.Fields {
				if fv.Name == name {
					value = fv.Value
				}
			}
		}
		sheets = append(sheets, Sheet{Name: page, Fields: []FieldValue{{name, value}}})
		n++
	}
	f, err := ParseForm(BuildForm("910.00", "27", sheets), FormOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func seqIDs() func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update if intended)\ngot:\n%s", name, got)
	}
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
