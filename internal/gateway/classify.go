package gateway

import (
	"maps"

	"github.com/salyq/salyq/pkg/envelope"
)

// Table maps error codes — gateway fault codes and SONO business codes —
// to classes. No public catalogue exists, so operators extend it with what
// the real service sends (an error-code file, --codes: LoadTable, given
// to the client as Config.Table); codes absent from it are Ambiguous,
// because an unknown error says nothing about whether the form was filed.
type Table map[string]Class

// DefaultTable is the table for the working model (envelope/codes.go) and
// the platform codes of seed 003.
func DefaultTable() Table {
	return Table{
		envelope.FaultTechnical:      Transient,
		envelope.FaultThrottled:      Throttled,
		envelope.FaultMaintenance:    Maintenance,
		envelope.FaultRequest:        Permanent,
		envelope.FaultSignature:      Permanent,
		envelope.FaultCertificate:    Permanent,
		"02003":                      Permanent,
		"02004":                      Permanent,
		"02099":                      Permanent,
		envelope.FaultUnknownService: Permanent,
		envelope.FaultTooLarge:       Permanent,

		envelope.CodeDuplicate:             Permanent,
		envelope.CodeInvalidForm:           Permanent,
		envelope.CodeUnknownForm:           Permanent,
		envelope.CodePeriodOutsideTemplate: Permanent,
		envelope.CodeFormSignature:         Permanent,
		envelope.CodeSubjectMismatch:       Permanent,
		envelope.CodeAccessDenied:          Permanent,
	}
}

// With returns a copy of t with extra entries.
func (t Table) With(extra map[string]Class) Table {
	out := make(Table, len(t)+len(extra))
	maps.Copy(out, t)
	maps.Copy(out, extra)
	return out
}

// Class returns the class of code; unknown codes are Ambiguous.
func (t Table) Class(code string) Class {
	if c, ok := t[code]; ok {
		return c
	}
	return Ambiguous
}

// ParseClass reads a class name (as written in configuration).
func ParseClass(s string) (Class, bool) {
	for c, n := range classNames {
		if n == s {
			return c, true
		}
	}
	return 0, false
}
