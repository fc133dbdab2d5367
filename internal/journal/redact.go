package journal

import (
	"regexp"
	"strings"
)

// Redacted replaces a secret in a record.
const Redacted = "***"

// passwordOpen and passwordClose are the start and end tags of
// requestInfo/sender/password with any prefix and attributes. Matched
// apart, at the few places the word occurs, because one expression
// unanchored tries a match at every '<' of a 20 KB form.
var (
	passwordOpen  = regexp.MustCompile(`^<(?:[A-Za-z_][\w.-]*:)?password(?:\s[^>]*)?>`)
	passwordClose = regexp.MustCompile(`</(?:[A-Za-z_][\w.-]*:)?password\s*>`)
)

// minSecret is the shortest secret scrubbed outside password elements: a
// shorter one would match ordinary text and garble the evidence.
const minSecret = 4

// Redact returns xml with the content of every password element replaced
// by Redacted, and every secret of minSecret characters or more too,
// wherever it appears. The rest of the document is left byte for byte as
// it was.
func Redact(xml string, secrets ...string) string {
	xml = redactPasswords(xml)
	for _, s := range secrets {
		if len(s) >= minSecret {
			xml = strings.ReplaceAll(xml, s, Redacted)
		}
	}
	return xml
}

// redactPasswords replaces the content of every password element, its
// content possibly CDATA, the element ending at the first end tag after
// its start tag. A start tag holds no '<' between its '<' and the word,
// so each occurrence of the word names the one '<' a match can start at;
// the work stays linear in xml.
func redactPasswords(xml string) string {
	var out strings.Builder
	// copied: xml[:copied] is in out; last: where the last element
	// replaced ended; tried: the last '<' a start tag was tried at (the
	// answer at one '<' does not depend on which occurrence led there).
	copied, last, from, tried := 0, 0, 0, -1
	for {
		i := strings.Index(xml[from:], "password")
		if i < 0 {
			break
		}
		p := from + i
		from = p + 1
		lt := strings.LastIndexByte(xml[:p], '<')
		if lt < last || lt == tried {
			continue // no new '<' since the last element or attempt
		}
		tried = lt
		gt := strings.IndexByte(xml[p:], '>')
		if gt < 0 {
			break // no start tag can end after here
		}
		open := passwordOpen.FindStringIndex(xml[lt : p+gt+1])
		if open == nil {
			continue
		}
		start := lt + open[1]
		end := passwordClose.FindStringIndex(xml[start:])
		if end == nil {
			break // nor can any later start tag be closed
		}
		out.Grow(len(xml))
		out.WriteString(xml[copied:start])
		out.WriteString(Redacted)
		copied = start + end[0]
		last = start + end[1]
		from = last
	}
	if copied == 0 {
		return xml
	}
	out.WriteString(xml[copied:])
	return out.String()
}
