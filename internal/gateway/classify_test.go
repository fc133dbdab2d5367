package gateway_test

import (
	"testing"

	"github.com/salyq/salyq/internal/gateway"
	"github.com/salyq/salyq/pkg/envelope"
)

func TestParseClass(t *testing.T) {
	all := []gateway.Class{gateway.Success, gateway.Transient, gateway.Throttled, gateway.Maintenance, gateway.Permanent, gateway.Ambiguous}
	for _, c := range all {
		got, ok := gateway.ParseClass(c.String())
		if !ok || got != c {
			t.Errorf("ParseClass(%q) = %v, %v; want %v", c.String(), got, ok, c)
		}
	}
	for _, s := range []string{"", "Success", "fatal", "class(9)"} {
		if c, ok := gateway.ParseClass(s); ok {
			t.Errorf("ParseClass(%q) = %v, want not ok", s, c)
		}
	}
	if s := gateway.Class(42).String(); s != "class(42)" {
		t.Errorf("unknown class prints %q", s)
	}
}

func TestTable(t *testing.T) {
	def := gateway.DefaultTable()
	tests := []struct {
		code string
		want gateway.Class
	}{
		{envelope.FaultTechnical, gateway.Transient},
		{envelope.FaultThrottled, gateway.Throttled},
		{envelope.FaultMaintenance, gateway.Maintenance},
		{envelope.FaultSignature, gateway.Permanent},
		{envelope.FaultCertificate, gateway.Permanent},
		{envelope.FaultRequest, gateway.Permanent},
		{envelope.FaultTooLarge, gateway.Permanent},
		{envelope.CodeDuplicate, gateway.Permanent},
		{envelope.CodeSubjectMismatch, gateway.Permanent},
		{"NEVER_SEEN", gateway.Ambiguous},
		{"", gateway.Ambiguous},
	}
	for _, tc := range tests {
		if got := def.Class(tc.code); got != tc.want {
			t.Errorf("Class(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}

	ext := def.With(map[string]gateway.Class{"NEVER_SEEN": gateway.Transient, envelope.CodeDuplicate: gateway.Ambiguous})
	if ext.Class("NEVER_SEEN") != gateway.Transient || ext.Class(envelope.CodeDuplicate) != gateway.Ambiguous {
		t.Errorf("With did not add or override: %v %v", ext.Class("NEVER_SEEN"), ext.Class(envelope.CodeDuplicate))
	}
	if ext.Class(envelope.FaultTechnical) != gateway.Transient {
		t.Error("With lost an entry of the base table")
	}
	if def.Class("NEVER_SEEN") != gateway.Ambiguous || def.Class(envelope.CodeDuplicate) != gateway.Permanent {
		t.Error("With modified the base table")
	}
}

// TestTableWithOnNil: Config.Table is nil by default (meaning
// DefaultTable), so cfg.Table.With(extra) is a natural thing to write.
func TestTableWithOnNil(t *testing.T) {
	var empty gateway.Table
	got := empty.With(map[string]gateway.Class{"X": gateway.Permanent})
	if got.Class("X") != gateway.Permanent {
		t.Errorf("With on a nil table: %v", got)
	}
}

func TestOutcomeString(t *testing.T) {
	tests := []struct {
		o    gateway.Outcome
		want string
	}{
		{gateway.Outcome{Class: gateway.Success}, "success"},
		{gateway.Outcome{Class: gateway.Permanent, Code: "DUPLICATE", Reason: "already filed"}, "permanent DUPLICATE: already filed"},
		{gateway.Outcome{Class: gateway.Ambiguous, Reason: "no answer"}, "ambiguous: no answer"},
	}
	for _, tc := range tests {
		if got := tc.o.String(); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
}
