package journal

import (
	"regexp"
	"strings"
)

// Redacted replaces a secret in a record.
const Redacted = "***"

// password matches requestInfo/sender/password with any prefix and
// attributes, its content possibly CDATA.
var password = regexp.MustCompile(`(?s)(<(?:[A-Za-z_][\w.-]*:)?password(?:\s[^>]*)?>)(.*?)(</(?:[A-Za-z_][\w.-]*:)?password\s*>)`)

// minSecret is the shortest secret scrubbed outside password elements: a
// shorter one would match ordinary text and garble the evidence.
const minSecret = 4

// Redact returns xml with the content of every password element replaced
// by Redacted, and every secret of minSecret characters or more too,
// wherever it appears. The rest of the document is left byte for byte as
// it was.
func Redact(xml string, secrets ...string) string {
	xml = password.ReplaceAllString(xml, "${1}"+Redacted+"${3}")
	for _, s := range secrets {
		if len(s) >= minSecret {
			xml = strings.ReplaceAll(xml, s, Redacted)
		}
	}
	return xml
}
