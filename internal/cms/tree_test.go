package cms

import (
	"encoding/asn1"
	"testing"
)

// node is a decoded DER element, used by tests to rewrite the sample into
// structurally different but equivalent (or deliberately broken) forms.
type node struct {
	tag   []byte
	prim  []byte  // contents of a primitive element
	kids  []*node // children of a constructed element
	isCon bool
}

// parseTree decodes one DER element spanning all of b.
func parseTree(t testing.TB, b []byte) *node {
	t.Helper()
	n, used := parseNode(t, b)
	if used != len(b) {
		t.Fatalf("tree: %d trailing bytes", len(b)-used)
	}
	return n
}

func parseNode(t testing.TB, b []byte) (*node, int) {
	t.Helper()
	var rv asn1.RawValue
	rest, err := asn1.Unmarshal(b, &rv)
	if err != nil {
		t.Fatalf("tree: not DER: %v", err)
	}
	tl := 1
	if b[0]&0x1f == 0x1f {
		for b[tl]&0x80 != 0 {
			tl++
		}
		tl++
	}
	n := &node{tag: b[:tl], isCon: rv.IsCompound}
	if !n.isCon {
		n.prim = rv.Bytes
		return n, len(b) - len(rest)
	}
	for body := rv.Bytes; len(body) > 0; {
		k, used := parseNode(t, body)
		n.kids = append(n.kids, k)
		body = body[used:]
	}
	return n, len(b) - len(rest)
}

// der encodes the tree in DER.
func (n *node) der() []byte {
	if !n.isCon {
		return appendTLV(n.tag, n.prim)
	}
	var body []byte
	for _, k := range n.kids {
		body = append(body, k.der()...)
	}
	return appendTLV(n.tag, body)
}

// ber encodes the tree with every constructed element in indefinite
// length and every OCTET STRING longer than one byte split into a
// constructed string of two chunks, as streaming BER writers do.
func (n *node) ber() []byte {
	var out []byte
	if !n.isCon {
		if len(n.tag) == 1 && n.tag[0] == 0x04 && len(n.prim) > 1 {
			h := len(n.prim) / 2
			out = append(out, 0x24, 0x80)
			out = append(out, appendTLV([]byte{0x04}, n.prim[:h])...)
			out = append(out, appendTLV([]byte{0x04}, n.prim[h:])...)
			return append(out, 0, 0)
		}
		return appendTLV(n.tag, n.prim)
	}
	out = append(append(out, n.tag...), 0x80)
	for _, k := range n.kids {
		out = append(out, k.ber()...)
	}
	return append(out, 0, 0)
}

func appendTLV(tag, body []byte) []byte {
	out := append([]byte{}, tag...)
	if l := len(body); l < 0x80 {
		out = append(out, byte(l))
	} else {
		var octets []byte
		for ; l > 0; l >>= 8 {
			octets = append([]byte{byte(l)}, octets...)
		}
		out = append(append(out, 0x80|byte(len(octets))), octets...)
	}
	return append(out, body...)
}

// Paths into the sample's tree.
func signedDataNode(root *node) *node { return root.kids[1].kids[0] }
func signerInfoNode(root *node) *node {
	sd := signedDataNode(root)
	return sd.kids[len(sd.kids)-1].kids[0]
}
