package journal_test

import (
	"regexp"
	"testing"

	"github.com/salyq/salyq/internal/journal"
)

// passwordElement is the one expression Redact used to apply to the
// whole document: the reference its faster matching must agree with.
var passwordElement = regexp.MustCompile(`(?s)(<(?:[A-Za-z_][\w.-]*:)?password(?:\s[^>]*)?>)(.*?)(</(?:[A-Za-z_][\w.-]*:)?password\s*>)`)

// FuzzRedact: Redact without secrets replaces exactly what the single
// expression replaces.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		request("m1"),
		`<password>p</password>`, `<x:password a="1">p w</x:password >`, `<password><![CDATA[p<w]]></password>`,
		`<a>password</a><password/>`, `<passwordHint>x</passwordHint>`, `<password>a<password>b</password>c</password>`,
		`<a:passwordb:password>x</password>`, `<<password>>`, `<password`, `<password >x`, `</password><password>`,
		`<password>x</password><p:password q="r">y</p:password	>z<password>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, xml string) {
		want := passwordElement.ReplaceAllString(xml, "${1}"+journal.Redacted+"${3}")
		if got := journal.Redact(xml); got != want {
			t.Errorf("Redact(%q) = %q, want %q", xml, got, want)
		}
	})
}
