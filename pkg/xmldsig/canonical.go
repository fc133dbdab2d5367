package xmldsig

import (
	"cmp"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// xmlNamespace is the namespace the xml prefix is bound to by definition;
// it is never declared in canonical output.
const xmlNamespace = "http://www.w3.org/XML/1998/namespace"

// flushAt is how much canonical output is buffered before it is handed to
// the destination writer (a hash, when digesting a reference).
const flushAt = 8 << 10

// c14nMode is a canonicalization method reduced to the two choices that
// change the output.
type c14nMode struct {
	exclusive bool
	comments  bool
}

func c14nModeOf(uri string) (c14nMode, bool) {
	switch uri {
	case C14N10:
		return c14nMode{}, true
	case C14N10Comments:
		return c14nMode{comments: true}, true
	case ExcC14N:
		return c14nMode{exclusive: true}, true
	case ExcC14NComments:
		return c14nMode{exclusive: true, comments: true}, true
	}
	return c14nMode{}, false
}

// nsBinding binds prefix ("" for the default namespace) to uri.
type nsBinding struct {
	prefix, uri string
}

// outAttr is one namespace declaration or attribute to render on a start
// tag, with the keys it is sorted by.
type outAttr struct {
	decl   bool   // namespace declaration: prefix is the declared prefix
	prefix string // the prefix as written
	uri    string // attributes: namespace URI, the first sort key
	local  string // attributes: local name, the second sort key
	value  string
}

// c14nWriter renders a subtree of an etree document in canonical form
// straight from the tree. etree keeps prefixes and namespace declarations
// as written, so the namespace scope is tracked here instead of being
// materialized on copies of the elements.
type c14nWriter struct {
	mode    c14nMode
	exclude *etree.Element
	buf     []byte
	w       io.Writer // nil: buf accumulates the whole output
	err     error     // first error of w
	// scope holds every namespace declaration in force, from the
	// document root down; lookups scan it from the end.
	scope []nsBinding
	// rendered holds, for exclusive canonicalization, the declarations
	// rendered by output ancestors.
	rendered []nsBinding
	attrs    []outAttr // scratch for one start tag at a time
}

// canonical returns the canonical form by method of the subtree rooted at
// el, as it stands in its document (namespaces declared on ancestors are
// taken into account), leaving out the subtree rooted at exclude — the
// enveloped-signature transform — if it lies within. The tree is not
// modified.
//
// Inclusive canonicalization renders on el every namespace in scope, as
// the specification requires for the apex of a subtree. It does not
// import the xml:* attributes of ancestors (xml:lang, xml:space) onto el,
// as Canonical XML 1.0 §2.4 demands for document subsets: salyq signs
// whole documents, whose apex has no ancestors, or elements by Id whose
// ancestors carry no xml:* attributes, and the goxmldsig-based code this
// replaces did not import them either, so what it signed still verifies.
func canonical(el *etree.Element, method string, exclude *etree.Element) ([]byte, error) {
	mode, ok := c14nModeOf(method)
	if !ok {
		return nil, checkErr("CanonicalizationMethod", ErrUnsupportedAlgorithm, "%q", method)
	}
	c := &c14nWriter{mode: mode, exclude: exclude, buf: make([]byte, 0, 4<<10)}
	if err := c.subtree(el); err != nil {
		return nil, err
	}
	return c.buf, nil
}

// canonicalTo writes what canonical returns to w, in pieces, without
// holding the whole output.
func canonicalTo(w io.Writer, el *etree.Element, method string, exclude *etree.Element) error {
	mode, ok := c14nModeOf(method)
	if !ok {
		return checkErr("CanonicalizationMethod", ErrUnsupportedAlgorithm, "%q", method)
	}
	c := &c14nWriter{mode: mode, exclude: exclude, w: w, buf: make([]byte, 0, flushAt+1<<10)}
	if err := c.subtree(el); err != nil {
		return err
	}
	c.flush()
	if c.err != nil {
		return checkErr("canonicalization", ErrMalformed, "write: %v", c.err)
	}
	return nil
}

func (c *c14nWriter) subtree(el *etree.Element) error {
	if el == nil {
		return checkErr("canonicalization", ErrMalformed, "no element")
	}
	var ancestors []*etree.Element
	for p := el; p != nil; p = p.Parent() {
		if p == c.exclude {
			// The transform would leave nothing to sign: refuse rather
			// than let a digest of nothing pass for one of el.
			return checkErr("Reference", ErrReference, "<%s> lies within the enveloped signature", el.FullTag())
		}
		if p != el {
			ancestors = append(ancestors, p)
		}
	}
	for i := len(ancestors) - 1; i >= 0; i-- {
		if err := c.declare(ancestors[i]); err != nil {
			return err
		}
	}
	return c.element(el, true)
}

// declare pushes the namespace declarations of e onto the scope.
func (c *c14nWriter) declare(e *etree.Element) error {
	for _, a := range e.Attr {
		p, ok := declaredPrefix(a)
		if !ok {
			continue
		}
		switch {
		case p == "xmlns":
			return checkErr("canonicalization", ErrMalformed, "the xmlns prefix declared on <%s>", e.FullTag())
		case p == "xml":
			if a.Value != xmlNamespace {
				return checkErr("canonicalization", ErrMalformed, "the xml prefix bound to %q", a.Value)
			}
			continue // bound by definition, never rendered
		case p != "" && a.Value == "":
			// Undeclaring a prefix is XML 1.1 only.
			return checkErr("canonicalization", ErrMalformed, "prefix %q bound to the empty namespace", p)
		}
		c.scope = append(c.scope, nsBinding{p, a.Value})
	}
	return nil
}

// declaredPrefix tells whether a is a namespace declaration and of which
// prefix; etree keeps xmlns="…" as Key "xmlns" and xmlns:p="…" as Space
// "xmlns", Key "p".
func declaredPrefix(a etree.Attr) (string, bool) {
	switch {
	case a.Space == "xmlns":
		return a.Key, true
	case a.Space == "" && a.Key == "xmlns":
		return "", true
	}
	return "", false
}

// lookup returns the namespace prefix is bound to in bindings; the
// default namespace is never unbound, only empty.
func lookup(bindings []nsBinding, prefix string) (string, bool) {
	if prefix == "xml" {
		return xmlNamespace, true
	}
	for i := len(bindings) - 1; i >= 0; i-- {
		if bindings[i].prefix == prefix {
			return bindings[i].uri, true
		}
	}
	return "", prefix == ""
}

func (c *c14nWriter) element(e *etree.Element, apex bool) error {
	scopeMark, renderedMark := len(c.scope), len(c.rendered)
	if err := c.declare(e); err != nil {
		return err
	}
	if e.Space != "" {
		if _, ok := lookup(c.scope, e.Space); !ok {
			return checkErr("canonicalization", ErrMalformed, "undeclared namespace prefix of <%s>", e.FullTag())
		}
	}
	c.attrs = c.attrs[:0]
	switch {
	case c.mode.exclusive:
		if err := c.exclusiveNamespaces(e); err != nil {
			return err
		}
	case apex:
		c.allNamespaces()
	default:
		c.newNamespaces(e, scopeMark)
	}
	for _, a := range e.Attr {
		if _, ok := declaredPrefix(a); ok {
			continue
		}
		uri := ""
		if a.Space != "" {
			var ok bool
			if uri, ok = lookup(c.scope, a.Space); !ok {
				return checkErr("canonicalization", ErrMalformed, "undeclared namespace prefix of attribute %s", a.FullKey())
			}
		}
		c.attrs = append(c.attrs, outAttr{prefix: a.Space, uri: uri, local: a.Key, value: a.Value})
	}
	slices.SortFunc(c.attrs, compareOutAttr)
	for i := 1; i < len(c.attrs); i++ {
		if compareOutAttr(c.attrs[i-1], c.attrs[i]) == 0 {
			// a:k and b:k with a and b bound to one URI, or k twice if
			// etree was told to keep duplicate attributes.
			return checkErr("canonicalization", ErrMalformed, "attribute %s repeated on <%s>", c.attrs[i].local, e.FullTag())
		}
	}

	c.buf = append(c.buf, '<')
	c.buf = appendName(c.buf, e.Space, e.Tag)
	for _, a := range c.attrs {
		c.buf = append(c.buf, ' ')
		if a.decl {
			c.buf = append(c.buf, "xmlns"...)
			if a.prefix != "" {
				c.buf = append(c.buf, ':')
				c.buf = append(c.buf, a.prefix...)
			}
		} else {
			c.buf = appendName(c.buf, a.prefix, a.local)
		}
		c.buf = append(c.buf, '=', '"')
		c.buf = appendEscaped(c.buf, a.value, true)
		c.buf = append(c.buf, '"')
	}
	c.buf = append(c.buf, '>')

	for _, t := range e.Child {
		switch t := t.(type) {
		case *etree.Element:
			if t == c.exclude {
				continue
			}
			if err := c.element(t, false); err != nil {
				return err
			}
		case *etree.CharData:
			// A CDATA section is text like any other.
			c.buf = appendEscaped(c.buf, t.Data, false)
		case *etree.Comment:
			if c.mode.comments {
				c.buf = append(c.buf, "<!--"...)
				c.buf = appendNormalizedEOL(c.buf, t.Data)
				c.buf = append(c.buf, "-->"...)
			}
		case *etree.ProcInst:
			c.buf = append(c.buf, "<?"...)
			c.buf = append(c.buf, t.Target...)
			if t.Inst != "" {
				c.buf = append(c.buf, ' ')
				c.buf = appendNormalizedEOL(c.buf, t.Inst)
			}
			c.buf = append(c.buf, "?>"...)
		case *etree.Directive:
			return checkErr("canonicalization", ErrMalformed, "markup declaration inside <%s>", e.FullTag())
		}
		c.maybeFlush()
	}

	c.buf = append(c.buf, '<', '/')
	c.buf = appendName(c.buf, e.Space, e.Tag)
	c.buf = append(c.buf, '>')
	c.scope = c.scope[:scopeMark]
	c.rendered = c.rendered[:renderedMark]
	return nil
}

// allNamespaces renders every namespace in scope: inclusive
// canonicalization does so on the apex, whose ancestors are not output.
func (c *c14nWriter) allNamespaces() {
	for i := len(c.scope) - 1; i >= 0; i-- {
		b := c.scope[i]
		if c.hasDecl(b.prefix) {
			continue // overridden further down
		}
		c.attrs = append(c.attrs, outAttr{decl: true, prefix: b.prefix, value: b.uri})
	}
	// An empty default namespace is no namespace node: nothing to render.
	c.attrs = slices.DeleteFunc(c.attrs, func(a outAttr) bool { return a.prefix == "" && a.value == "" })
}

// newNamespaces renders the declarations of e (inclusive, below the apex)
// that change what its parent, which is output, has in scope.
func (c *c14nWriter) newNamespaces(e *etree.Element, parentMark int) {
	parent := c.scope[:parentMark]
	for _, a := range e.Attr {
		p, ok := declaredPrefix(a)
		if !ok || p == "xml" || c.hasDecl(p) {
			continue
		}
		// a.Value is the value in scope, unless e declares p twice.
		uri, _ := lookup(c.scope, p)
		// For the default namespace, an empty value matches a parent
		// without one, so xmlns="" is rendered only to undo a default.
		if old, ok := lookup(parent, p); ok && old == uri {
			continue
		}
		c.attrs = append(c.attrs, outAttr{decl: true, prefix: p, value: uri})
	}
}

// exclusiveNamespaces renders the namespaces e visibly utilizes that no
// output ancestor has rendered with the same value.
func (c *c14nWriter) exclusiveNamespaces(e *etree.Element) error {
	if err := c.utilize(e.Space); err != nil {
		return err
	}
	for _, a := range e.Attr {
		if _, ok := declaredPrefix(a); ok || a.Space == "" {
			continue // unprefixed attributes are in no namespace
		}
		if err := c.utilize(a.Space); err != nil {
			return err
		}
	}
	return nil
}

func (c *c14nWriter) utilize(prefix string) error {
	if prefix == "xml" || c.hasDecl(prefix) {
		return nil
	}
	uri, ok := lookup(c.scope, prefix)
	if !ok {
		return checkErr("canonicalization", ErrMalformed, "undeclared namespace prefix %q", prefix)
	}
	// lookup's default of "" for an unrendered default namespace gives
	// the xmlns="" rule: it is rendered only to undo a non-empty one.
	if old, ok := lookup(c.rendered, prefix); ok && old == uri {
		return nil
	}
	c.attrs = append(c.attrs, outAttr{decl: true, prefix: prefix, value: uri})
	c.rendered = append(c.rendered, nsBinding{prefix, uri})
	return nil
}

func (c *c14nWriter) hasDecl(prefix string) bool {
	for _, a := range c.attrs {
		if a.decl && a.prefix == prefix {
			return true
		}
	}
	return false
}

// compareOutAttr orders a start tag: namespace declarations first, the
// default one first and the others by prefix; then attributes by
// namespace URI (none first) and local name.
func compareOutAttr(a, b outAttr) int {
	switch {
	case a.decl && b.decl:
		return strings.Compare(a.prefix, b.prefix)
	case a.decl:
		return -1
	case b.decl:
		return 1
	}
	return cmp.Or(strings.Compare(a.uri, b.uri), strings.Compare(a.local, b.local))
}

func appendName(buf []byte, prefix, local string) []byte {
	if prefix != "" {
		buf = append(buf, prefix...)
		buf = append(buf, ':')
	}
	return append(buf, local...)
}

// appendEscaped appends s with the character references canonical XML
// prescribes for text or for attribute values. Characters XML does not
// allow are replaced by U+FFFD, as etree does when writing the document,
// so that what is signed is what gets written.
func appendEscaped(buf []byte, s string, attr bool) []byte {
	last := 0
	for i := 0; i < len(s); {
		b := s[i]
		var esc string
		width := 1
		switch {
		case b == '&':
			esc = "&amp;"
		case b == '<':
			esc = "&lt;"
		case b == '>' && !attr:
			esc = "&gt;"
		case b == '"' && attr:
			esc = "&quot;"
		case b == '\t' && attr:
			esc = "&#x9;"
		case b == '\n' && attr:
			esc = "&#xA;"
		case b == '\r':
			esc = "&#xD;"
		case b < 0x20 && b != '\t' && b != '\n':
			esc = "\uFFFD"
		case b >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			width = n
			if (r == utf8.RuneError && n == 1) || r == 0xFFFE || r == 0xFFFF {
				esc = "\uFFFD"
			}
		}
		if esc == "" {
			i += width
			continue
		}
		buf = append(buf, s[last:i]...)
		buf = append(buf, esc...)
		i += width
		last = i
	}
	return append(buf, s[last:]...)
}

// appendNormalizedEOL appends s with its line ends normalized to #xA.
// encoding/xml normalizes them in text and attribute values but not in
// comments and processing instructions, where XML requires it too; as no
// character reference can stand there, every #xD is a line end.
func appendNormalizedEOL(buf []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, '\r')
		if i < 0 {
			return append(buf, s...)
		}
		buf = append(buf, s[:i]...)
		buf = append(buf, '\n')
		s = s[i+1:]
		if s != "" && s[0] == '\n' {
			s = s[1:]
		}
	}
}

func (c *c14nWriter) maybeFlush() {
	if c.w != nil && len(c.buf) >= flushAt {
		c.flush()
	}
}

func (c *c14nWriter) flush() {
	if c.err == nil && len(c.buf) > 0 {
		_, c.err = c.w.Write(c.buf)
	}
	c.buf = c.buf[:0]
}
