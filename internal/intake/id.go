package intake

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"

	"github.com/salyq/salyq/pkg/envelope"
)

// SubmissionID derives the id of a form from what makes it the same
// filing: taxpayer, code, version, period, kind and every field value.
// Layout, signatures and field order do not count.
func SubmissionID(f *envelope.Form) string {
	h := sha256.New()
	put := func(s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	final := "0"
	if f.Final {
		final = "1"
	}
	for _, s := range []string{f.Taxpayer, f.Code, f.Version, f.Period.String(), string(f.Kind), final} {
		put(s)
	}
	names := f.FieldNames()
	slices.Sort(names)
	for _, n := range names {
		v, _ := f.Field(n)
		put(n)
		put(v)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
