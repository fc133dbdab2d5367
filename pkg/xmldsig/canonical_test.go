package xmldsig

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// canonicalDocument canonicalizes a whole document the way xmllint does:
// the processing instructions and comments outside the document element
// are rendered too, separated from it by line feeds (C14N 1.0 §2.3).
// xmldsig never signs a document node; the tests need it to compare with
// xmllint.
func canonicalDocument(t testing.TB, doc *etree.Document, method string) []byte {
	t.Helper()
	mode, _ := c14nModeOf(method)
	var out []byte
	seenRoot := false
	for _, tok := range doc.Child {
		var node []byte
		switch tok := tok.(type) {
		case *etree.Element:
			b, err := canonical(tok, method, nil)
			if err != nil {
				t.Fatalf("canonical: %v", err)
			}
			out = append(out, b...)
			seenRoot = true
			continue
		case *etree.ProcInst:
			if tok.Target == "xml" {
				continue // the XML declaration is no PI
			}
			node = append(node, "<?"+tok.Target...)
			if tok.Inst != "" {
				node = append(node, ' ')
				node = appendNormalizedEOL(node, tok.Inst)
			}
			node = append(node, "?>"...)
		case *etree.Comment:
			if !mode.comments {
				continue
			}
			node = appendNormalizedEOL(append(node, "<!--"...), tok.Data)
			node = append(node, "-->"...)
		default:
			continue
		}
		if seenRoot {
			out = append(out, '\n')
			out = append(out, node...)
		} else {
			out = append(out, node...)
			out = append(out, '\n')
		}
	}
	return out
}

func parseDoc(t testing.TB, xml string) *etree.Document {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		t.Fatalf("parse: %v\n%s", err, xml)
	}
	return doc
}

// The examples of Canonical XML 1.0 §3 and Exclusive XML Canonicalization
// 1.0 §2.2. Those that rely on a DTD (default attributes, attribute types,
// entities) are given here without it, with the expected output adjusted:
// encoding/xml reads no DTD.
const (
	specPIs = `<?xml version="1.0"?>

<?xml-stylesheet   href="doc.xsl"
   type="text/xsl"   ?>

<doc>Hello, world!<!-- Comment 1 --></doc>

<?pi-without-data     ?>

<!-- Comment 2 -->

<!-- Comment 3 -->`
	specWhitespace = `<doc>
   <clean>   </clean>
   <dirty>   A   B   </dirty>
   <mixed>
      A
      <clean>   </clean>
      B
      <dirty>   A   B   </dirty>
      C
   </mixed>
</doc>`
	specTags = `<doc>
   <e1   />
   <e2   ></e2>
   <e3   name = "elem3"   id="elem3"   />
   <e4   name="elem4"   id="elem4"   ></e4>
   <e5 a:attr="out" b:attr="sorted" attr2="all" attr="I'm"
      xmlns:b="http://www.ietf.org"
      xmlns:a="http://www.w3.org"
      xmlns="http://example.org"/>
   <e6 xmlns="" xmlns:a="http://www.w3.org">
      <e7 xmlns="http://www.ietf.org">
         <e8 xmlns="" xmlns:a="http://www.w3.org">
            <e9 xmlns="" xmlns:a="http://www.ietf.org"/>
         </e8>
      </e7>
   </e6>
</doc>`
	specTagsOut = `<doc>
   <e1></e1>
   <e2></e2>
   <e3 id="elem3" name="elem3"></e3>
   <e4 id="elem4" name="elem4"></e4>
   <e5 xmlns="http://example.org" xmlns:a="http://www.w3.org" xmlns:b="http://www.ietf.org" attr="I'm" attr2="all" b:attr="sorted" a:attr="out"></e5>
   <e6 xmlns:a="http://www.w3.org">
      <e7 xmlns="http://www.ietf.org">
         <e8 xmlns="">
            <e9 xmlns:a="http://www.ietf.org"></e9>
         </e8>
      </e7>
   </e6>
</doc>`
	specChars = `<doc>
   <text>First line&#x0d;&#10;Second line</text>
   <value>&#x32;</value>
   <compute><![CDATA[value>"0" && value<"10" ?"valid":"error"]]></compute>
   <compute expr='value>"0" &amp;&amp; value&lt;"10" ?"valid":"error"'>valid</compute>
   <norm attr=' &apos;   &#x20;&#13;&#xa;&#9;   &apos; '/>
   <normNames attr='   A   &#x20;&#13;&#xa;&#9;   B   '/>
</doc>`
	specCharsOut = `<doc>
   <text>First line&#xD;
Second line</text>
   <value>2</value>
   <compute>value&gt;"0" &amp;&amp; value&lt;"10" ?"valid":"error"</compute>
   <compute expr="value>&quot;0&quot; &amp;&amp; value&lt;&quot;10&quot; ?&quot;valid&quot;:&quot;error&quot;">valid</compute>
   <norm attr=" '    &#xD;&#xA;&#x9;   ' "></norm>
   <normNames attr="   A    &#xD;&#xA;&#x9;   B   "></normNames>
</doc>`
	specExc1 = `<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org">
  <n1:elem2 xmlns:n1="http://example.net" xml:lang="en">
    <n3:stuff xmlns:n3="ftp://example.org"/>
  </n1:elem2>
</n0:local>`
	specExc2 = `<n2:pdu xmlns:n1="http://example.com"
           xmlns:n2="http://foo.example"
           xml:lang="fr"
           xml:space="retain">
  <n1:elem2 xmlns:n1="http://example.net" xml:lang="en">
    <n3:stuff xmlns:n3="ftp://example.org"/>
  </n1:elem2>
</n2:pdu>`
	specExcElem2 = `<n1:elem2 xmlns:n1="http://example.net" xml:lang="en">
    <n3:stuff xmlns:n3="ftp://example.org"></n3:stuff>
  </n1:elem2>`
)

func TestCanonicalSpecExamples(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		apex   string // etree path of the apex; "" for the whole document
		method string
		want   string
	}{
		{"3.1 PIs and comments", specPIs, "", C14N10,
			"<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>Hello, world!</doc>\n<?pi-without-data?>"},
		{"3.1 with comments", specPIs, "", C14N10Comments,
			"<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>Hello, world!<!-- Comment 1 --></doc>\n<?pi-without-data?>\n<!-- Comment 2 -->\n<!-- Comment 3 -->"},
		{"3.2 whitespace", specWhitespace, "", C14N10, specWhitespace},
		{"3.3 start and end tags", specTags, "", C14N10, specTagsOut},
		{"3.4 characters", specChars, "", C14N10, specCharsOut},
		{"3.8 internationalization", `<doc>&#169;</doc>`, "", C14N10, "<doc>©</doc>"},
		{"exc 2.2 first, exclusive", specExc1, "/n0:local/n1:elem2", ExcC14N, specExcElem2},
		{"exc 2.2 second, exclusive", specExc2, "/n2:pdu/n1:elem2", ExcC14N, specExcElem2},
		{"exc 2.2 first, inclusive", specExc1, "/n0:local/n1:elem2", C14N10,
			`<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="http://example.net" xmlns:n3="ftp://example.org" xml:lang="en">
    <n3:stuff></n3:stuff>
  </n1:elem2>`},
		// Canonical XML 1.0 would also import xml:space="retain" and
		// xml:lang="fr" (overridden here) from n2:pdu; see canonical.
		{"exc 2.2 second, inclusive", specExc2, "/n2:pdu/n1:elem2", C14N10,
			`<n1:elem2 xmlns:n1="http://example.net" xmlns:n2="http://foo.example" xml:lang="en">
    <n3:stuff xmlns:n3="ftp://example.org"></n3:stuff>
  </n1:elem2>`},
		{"attributes sorted by namespace URI, not prefix", `<e xmlns:a="urn:z" xmlns:b="urn:a" a:x="1" b:y="2" c="3"/>`, "", C14N10,
			`<e xmlns:a="urn:z" xmlns:b="urn:a" c="3" b:y="2" a:x="1"></e>`},
		{"xmlns empty under a default, exclusive", `<a xmlns="urn:a"><b xmlns=""><c/></b></a>`, "", ExcC14N,
			`<a xmlns="urn:a"><b xmlns=""><c></c></b></a>`},
		{"xmlns empty at the apex is dropped", `<a xmlns="urn:a"><b xmlns=""><c/></b></a>`, "/a/b", C14N10, `<b><c></c></b>`},
		{"xmlns empty at the exclusive apex is dropped", `<a xmlns="urn:a"><b xmlns=""><c/></b></a>`, "/a/b", ExcC14N, `<b><c></c></b>`},
		{"default namespace inherited by the apex", `<a xmlns="urn:a" xmlns:p="urn:p"><b/></a>`, "/a/b", C14N10, `<b xmlns="urn:a" xmlns:p="urn:p"></b>`},
		{"unused namespace dropped by exclusive", `<a xmlns="urn:a" xmlns:p="urn:p"><b/></a>`, "/a/b", ExcC14N, `<b xmlns="urn:a"></b>`},
		{"superfluous redeclaration", `<p:a xmlns:p="urn:p"><p:b xmlns:p="urn:p"/></p:a>`, "", C14N10, `<p:a xmlns:p="urn:p"><p:b></p:b></p:a>`},
		{"redeclaration to another URI", `<p:a xmlns:p="urn:p"><p:b xmlns:p="urn:q"/></p:a>`, "", ExcC14N, `<p:a xmlns:p="urn:p"><p:b xmlns:p="urn:q"></p:b></p:a>`},
		{"exclusive renders where utilized", `<a xmlns:p="urn:p"><b><p:c/><p:d/></b></a>`, "", ExcC14N, `<a><b><p:c xmlns:p="urn:p"></p:c><p:d xmlns:p="urn:p"></p:d></b></a>`},
		{"attribute prefix utilized", `<a xmlns:p="urn:p"><b p:k="1"/></a>`, "", ExcC14N, `<a><b xmlns:p="urn:p" p:k="1"></b></a>`},
		{"comments only with comments", `<a><!--x--><b/><?t d?></a>`, "", ExcC14N, `<a><b></b><?t d?></a>`},
		{"comments kept", `<a><!--x--><b/></a>`, "", ExcC14NComments, `<a><!--x--><b></b></a>`},
		{"line ends of comments and PIs", "<a><!--a\r\nb\rc--><?p a\r\nb?></a>", "", C14N10Comments, "<a><!--a\nb\nc--><?p a\nb?></a>"},
		{"text escaping", "<a>&amp;&lt;&gt;\"'&#13;\t\n</a>", "", C14N10, "<a>&amp;&lt;&gt;\"'&#xD;\t\n</a>"},
		{"attribute escaping", "<a k=\"&amp;&lt;&gt;&quot;'&#9;&#10;&#13;\"/>", "", C14N10, "<a k=\"&amp;&lt;>&quot;'&#x9;&#xA;&#xD;\"></a>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := parseDoc(t, c.in)
			var got []byte
			if c.apex == "" {
				got = canonicalDocument(t, doc, c.method)
			} else {
				el := doc.FindElement(c.apex)
				if el == nil {
					t.Fatalf("no %s", c.apex)
				}
				var err error
				if got, err = canonical(el, c.method, nil); err != nil {
					t.Fatal(err)
				}
			}
			if string(got) != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// TestCanonicalCData checks that a CDATA section etree kept as such is
// rendered as text.
func TestCanonicalCData(t *testing.T) {
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveCData = true
	if err := doc.ReadFromString(`<a><![CDATA[x<y&z>"]]></a>`); err != nil {
		t.Fatal(err)
	}
	if cd, ok := doc.Root().Child[0].(*etree.CharData); !ok || !cd.IsCData() {
		t.Fatal("etree did not keep the CDATA section")
	}
	got, err := canonical(doc.Root(), C14N10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `<a>x&lt;y&amp;z&gt;"</a>`; string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestCanonicalExclude checks the enveloped-signature transform: the
// excluded element goes, the text around it stays.
func TestCanonicalExclude(t *testing.T) {
	doc := parseDoc(t, `<a xmlns="urn:a"> <b>1</b> <ds:Signature xmlns:ds="urn:ds"><ds:x/></ds:Signature> <c/></a>`)
	sig := doc.FindElement("//Signature")
	for _, m := range []string{C14N10, ExcC14N} {
		got, err := canonical(doc.Root(), m, sig)
		if err != nil {
			t.Fatal(err)
		}
		if want := `<a xmlns="urn:a"> <b>1</b>  <c></c></a>`; string(got) != want {
			t.Fatalf("%s: got %s, want %s", m, got, want)
		}
	}
	for _, el := range []*etree.Element{sig, sig.FindElement("x")} {
		if _, err := canonical(el, C14N10, sig); !errors.Is(err, ErrReference) {
			t.Fatalf("<%s> within the excluded element: %v", el.FullTag(), err)
		}
	}
}

func TestCanonicalErrors(t *testing.T) {
	cases := []struct {
		name, in, method string
		want             error
	}{
		{"unknown method", `<a/>`, "urn:c14n2", ErrUnsupportedAlgorithm},
		{"unbound element prefix", `<p:a/>`, C14N10, ErrMalformed},
		{"unbound attribute prefix", `<a p:k="1"/>`, ExcC14N, ErrMalformed},
		{"prefix undeclared", `<a xmlns:p=""/>`, C14N10, ErrMalformed},
		{"xml prefix rebound", `<a xmlns:xml="urn:x"/>`, C14N10, ErrMalformed},
		{"attribute repeated under two prefixes", `<a xmlns:p="urn:x" xmlns:q="urn:x" p:k="1" q:k="2"/>`, C14N10, ErrMalformed},
		{"xmlns prefix declared", `<a xmlns:xmlns="urn:x"/>`, ExcC14N, ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := canonical(parseDoc(t, c.in).Root(), c.method, nil)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	if _, err := canonical(nil, C14N10, nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("nil element: %v", err)
	}
	el := etree.NewElement("a")
	el.AddChild(&etree.Directive{Data: "DOCTYPE a"})
	if _, err := canonical(el, C14N10, nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("directive inside an element: %v", err)
	}
}

// TestCanonicalInvalidCharacters checks that characters XML forbids,
// which only a program can put into a tree, come out as etree writes
// them.
func TestCanonicalInvalidCharacters(t *testing.T) {
	el := etree.NewElement("a")
	el.CreateAttr("k", "x\x01\xff")
	el.SetText("y\x00\uffff")
	got, err := canonical(el, C14N10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "<a k=\"x\uFFFD\uFFFD\">y\uFFFD\uFFFD</a>"; string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestCanonicalStreaming checks that writing in pieces gives the same
// bytes as building the whole output, and leaves the tree untouched.
func TestCanonicalStreaming(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<r xmlns="urn:r" xmlns:p="urn:p">`)
	for i := range 2000 {
		b.WriteString(`<p:item n="` + strings.Repeat("x", i%7) + `">&amp;text &lt;<!--c--></p:item>`)
	}
	b.WriteString(`</r>`)
	doc := parseDoc(t, b.String())
	before, _ := doc.WriteToString()
	for _, m := range []string{C14N10, C14N10Comments, ExcC14N, ExcC14NComments} {
		whole, err := canonical(doc.Root(), m, nil)
		if err != nil {
			t.Fatal(err)
		}
		var streamed bytes.Buffer
		if err := canonicalTo(&streamed, doc.Root(), m, nil); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(whole, streamed.Bytes()) || len(whole) < 2*flushAt {
			t.Fatalf("%s: streamed %d bytes, whole %d", m, streamed.Len(), len(whole))
		}
	}
	if after, _ := doc.WriteToString(); after != before {
		t.Fatal("canonicalization changed the tree")
	}
}
