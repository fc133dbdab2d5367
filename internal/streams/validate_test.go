package streams_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/streams"
)

func TestChecks(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) error
		in    string
		want  error
	}{
		{"intake id", streams.CheckID, "0123456789abcdef0123456789abcdef", nil},
		{"id with dash and underscore", streams.CheckID, "sub-1_A", nil},
		{"id at the cap", streams.CheckID, strings.Repeat("a", streams.MaxIDLength), nil},
		{"empty id", streams.CheckID, "", streams.ErrInvalidID},
		{"id over the cap", streams.CheckID, strings.Repeat("a", streams.MaxIDLength+1), streams.ErrInvalidID},
		{"id of 4,100", streams.CheckID, strings.Repeat("a", 4100), streams.ErrInvalidID},
		{"id star", streams.CheckID, "*", streams.ErrInvalidID},
		{"id gt", streams.CheckID, "a>", streams.ErrInvalidID},
		{"id dot", streams.CheckID, "a.b", streams.ErrInvalidID},
		{"id space", streams.CheckID, "a b", streams.ErrInvalidID},
		{"id NUL", streams.CheckID, "a\x00", streams.ErrInvalidID},
		{"id non-ASCII", streams.CheckID, "аб", streams.ErrInvalidID},
		{"taxpayer", streams.CheckTaxpayer, "900101300123", nil},
		{"taxpayer short", streams.CheckTaxpayer, "90010130012", streams.ErrInvalidTaxpayer},
		{"taxpayer letters", streams.CheckTaxpayer, "90010130012x", streams.ErrInvalidTaxpayer},
		{"taxpayer wildcard", streams.CheckTaxpayer, "90010130012>", streams.ErrInvalidTaxpayer},
		{"header", streams.CheckHeader, "910.00 2025-H1 Первичная", nil},
		{"empty header", streams.CheckHeader, "", nil},
		{"header NUL", streams.CheckHeader, "a\x00b", streams.ErrInvalidHeader},
		{"header newline", streams.CheckHeader, "a\nb", streams.ErrInvalidHeader},
		{"header DEL", streams.CheckHeader, "a\x7f", streams.ErrInvalidHeader},
		{"header too long", streams.CheckHeader, strings.Repeat("x", streams.MaxHeaderLength+1), streams.ErrInvalidHeader},
		{"header not UTF-8", streams.CheckHeader, "\xff", streams.ErrInvalidHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.check(tc.in)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
	fe := &streams.FieldError{Field: streams.HeaderID, Err: streams.CheckID("")}
	if !errors.Is(fe, streams.ErrInvalidID) || !strings.HasPrefix(fe.Error(), "Salyq-Id: ") {
		t.Errorf("field error %v", fe)
	}
}
