package gost341194

import (
	"bytes"
	"encoding/base64"
	"os"
	"testing"

	"github.com/salyq/salyq/internal/testenv"
)

// testdataPath is the path of rel in the repository's testdata/.
func testdataPath(t *testing.T, rel string) string { return testenv.Path(t, "testdata", rel) }

// between returns the part of s from the first start marker through the
// first end marker after it.
func between(t *testing.T, s []byte, start, end string) []byte {
	t.Helper()
	i := bytes.Index(s, []byte(start))
	if i < 0 {
		t.Fatalf("marker %q not found", start)
	}
	j := bytes.Index(s[i:], []byte(end))
	if j < 0 {
		t.Fatalf("marker %q not found", end)
	}
	return s[i : i+j+len(end)]
}

// replaceOnce replaces old with new in s and fails unless old occurs exactly
// once, so a changed fixture cannot make the construction silently wrong.
func replaceOnce(t *testing.T, s []byte, old, new string) []byte {
	t.Helper()
	if n := bytes.Count(s, []byte(old)); n != 1 {
		t.Fatalf("%q occurs %d times, want 1", old, n)
	}
	return bytes.Replace(s, []byte(old), []byte(new), 1)
}

// TestNCASignedRequestDigest recomputes the DigestValue of the operator's
// real signed request: GOST R 34.11-94 (test S-boxes) over the exclusive
// canonical form of its soap Body. It proves the parameter set and the byte
// order of Sum at once.
func TestNCASignedRequestDigest(t *testing.T) {
	raw, err := os.ReadFile(testdataPath(t, "nca/signed/nit-shep-request-gost2004.xml"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Fatalf("fixture no longer starts with a UTF-8 BOM; re-check the construction below")
	}
	const wantDigest = "kdldH4ejKn+Xnly5drhNyAINDfjg1XcezEqYn32hEjY="
	if !bytes.Contains(raw, []byte("<ds:DigestValue>"+wantDigest+"</ds:DigestValue>")) {
		t.Fatalf("fixture does not carry the expected DigestValue")
	}

	// Exclusive c14n of the Body, by hand. The Body in the file is already
	// canonical except for namespaces: the element's own prefix S is
	// declared on the Envelope and is visibly utilised, so exc-c14n adds
	// xmlns:S (sorted before xmlns:wsu); xmlns:xs on <data> is used only
	// inside an attribute value, which does not count as visible use, so it
	// is dropped. Text already uses &lt; and &gt;, and quotes in text stay
	// literal; there are no CRs, whitespace text or empty elements.
	body := between(t, raw, "<S:Body ", "</S:Body>")
	body = replaceOnce(t, body, "<S:Body xmlns:wsu=",
		`<S:Body xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsu=`)
	body = replaceOnce(t, body, ` xmlns:xs="http://www.w3.org/2001/XMLSchema"`, "")

	sum := Sum(body)
	if got := base64.StdEncoding.EncodeToString(sum[:]); got != wantDigest {
		t.Fatalf("digest of exc-c14n Body = %s, want %s", got, wantDigest)
	}
}
