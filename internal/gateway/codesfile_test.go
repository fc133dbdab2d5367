package gateway_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/pkg/envelope"
)

// TestLoadTable: an error-code file adds and overrides codes of the
// built-in table, and a file with any mistake is refused whole, naming
// the file and the code.
func TestLoadTable(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("codes.json", `{"SRV_BUSY": "transient", "02005": "permanent", "DUPLICATE": "ambiguous"}`)
	tab, err := gateway.LoadTable(good, gateway.DefaultTable())
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]gateway.Class{
		"SRV_BUSY":              gateway.Transient,
		"02005":                 gateway.Permanent,
		envelope.CodeDuplicate:  gateway.Ambiguous,
		envelope.FaultTechnical: gateway.Transient,
		"NEVER_SEEN":            gateway.Ambiguous,
		envelope.FaultThrottled: gateway.Throttled,
		envelope.FaultSignature: gateway.Permanent,
	} {
		if got := tab.Class(code); got != want {
			t.Errorf("Class(%q) = %v, want %v", code, got, want)
		}
	}
	if gateway.DefaultTable().Class("SRV_BUSY") != gateway.Ambiguous {
		t.Error("LoadTable changed the built-in table")
	}

	for name, tc := range map[string]struct{ body, want string }{
		"not an object":  {`["SRV_BUSY"]`, "JSON object"},
		"not JSON":       {`SRV_BUSY=transient`, "JSON object"},
		"bad class":      {`{"SRV_BUSY": "retry"}`, `"SRV_BUSY": class "retry"`},
		"success":        {`{"SRV_BUSY": "success"}`, `class "success"`},
		"class not text": {`{"SRV_BUSY": 3}`, `"SRV_BUSY": want a class name`},
		"twice":          {`{"X1": "transient", "X1": "permanent"}`, `"X1" given twice`},
		"empty code":     {`{"": "transient"}`, "empty code"},
		"space":          {`{"SRV BUSY": "transient"}`, "spaces"},
		"long":           {`{"` + strings.Repeat("A", 65) + `": "transient"}`, "longer than 64"},
		"not found":      {`{"NOT_FOUND": "transient"}`, "fixed meaning"},
		"trailing data":  {`{"X1": "transient"} {}`, "data after"},
		"truncated":      {`{"X1": "transient"`, ""},
	} {
		p := write(strings.ReplaceAll(name, " ", "-")+".json", tc.body)
		_, err := gateway.LoadTable(p, gateway.DefaultTable())
		if !errors.Is(err, gateway.ErrCodesFile) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrCodesFile naming %s and %q", name, err, p, tc.want)
		}
	}
	if _, err := gateway.LoadTable(filepath.Join(dir, "missing.json"), gateway.DefaultTable()); !errors.Is(err, gateway.ErrCodesFile) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
