package xmldsig

import (
	"fmt"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// benchForm returns a document of about size bytes shaped like a tax
// form: namespaced, attribute-heavy, one field per element.
func benchForm(b *testing.B, size int) *etree.Element {
	b.Helper()
	var s strings.Builder
	s.WriteString(`<fno xmlns="urn:kgd:fno" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" code="910.00" version="1">` + "\n")
	for i := 0; s.Len() < size; i++ {
		fmt.Fprintf(&s, `  <field name="field_%03d" type="text" xsi:nil="false">value %d &amp; more</field>`+"\n", i, i)
	}
	s.WriteString(`</fno>`)
	doc := etree.NewDocument()
	if err := doc.ReadFromString(s.String()); err != nil {
		b.Fatal(err)
	}
	return doc.Root()
}

func BenchmarkCanonicalize(b *testing.B) {
	root := benchForm(b, 20<<10)
	impls := []struct {
		name string
		fn   func(el *etree.Element, method string) ([]byte, error)
	}{
		{"salyq", func(el *etree.Element, m string) ([]byte, error) { return canonical(el, m, nil) }},
		{"goxmldsig", func(el *etree.Element, m string) ([]byte, error) { return goxmldsigCanonical(el, m, nil) }},
	}
	for _, m := range []struct{ name, uri string }{{"inclusive", C14N10}, {"exclusive", ExcC14N}} {
		for _, impl := range impls {
			b.Run(impl.name+"/"+m.name, func(b *testing.B) {
				out, err := impl.fn(root, m.uri)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(out)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := impl.fn(root, m.uri); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
