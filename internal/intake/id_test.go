package intake_test

import (
	"slices"
	"testing"

	"github.com/beevik/etree"
	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/internal/ncatest"
	"github.com/salyq/salyq/pkg/envelope"
)

func TestSubmissionIDSame(t *testing.T) {
	base := good(t)
	want := intake.SubmissionID(parse(t, base.build()))
	if len(want) != 32 {
		t.Fatalf("id %q: want 32 hex digits", want)
	}

	reordered := base.sheets()
	slices.Reverse(reordered[0].Fields)
	slices.Reverse(reordered)
	indented := etree.NewDocument()
	if err := indented.ReadFromBytes(base.build()); err != nil {
		t.Fatal(err)
	}
	indented.Indent(4)
	reindented, err := indented.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"again", base.build()},
		{"fields and sheets in another order", envelope.BuildForm("910.00", "27", reordered)},
		{"signed by the taxpayer", signed(t, base.build())},
		{"another layout", reindented},
	}
	for _, tc := range tests {
		if got := intake.SubmissionID(parse(t, tc.data)); got != want {
			t.Errorf("%s: id %s, want %s", tc.name, got, want)
		}
	}
}

func TestSubmissionIDDiffers(t *testing.T) {
	base := good(t)
	ref := intake.SubmissionID(parse(t, base.build()))
	variants := []struct {
		name string
		edit func(*spec)
	}{
		{"kind", func(s *spec) { s.kind = envelope.KindAdditional }},
		{"half year", func(s *spec) { s.half = 2 }},
		{"year", func(s *spec) { s.year = 2024 }},
		{"value", func(s *spec) { s.income++ }},
		{"taxpayer", func(s *spec) { s.taxpayer = ncatest.NewIIN(4242) }},
	}
	seen := map[string]string{ref: "base"}
	for _, v := range variants {
		s := base
		v.edit(&s)
		id := intake.SubmissionID(parse(t, s.build()))
		if prev, dup := seen[id]; dup {
			t.Errorf("%s: same id as %s", v.name, prev)
		}
		seen[id] = v.name
	}
}
