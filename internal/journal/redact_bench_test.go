package journal_test

import (
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/journal"
)

// BenchmarkRedact redacts a send request the size of a full 910.00 filing.
func BenchmarkRedact(b *testing.B) {
	req := strings.Replace(request("m1"), "</request>", "<data>"+strings.Repeat(`<field name="x">1 234</field>`, 700)+"</data></request>", 1)
	b.SetBytes(int64(len(req)))
	b.ReportAllocs()
	for b.Loop() {
		journal.Redact(req, senderPassword)
	}
}
