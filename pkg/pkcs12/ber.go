package pkcs12

import (
	"errors"
	"fmt"
)

// Limits that keep hostile input from exhausting the stack or memory.
const (
	// MaxInputSize is the largest container (and largest inner structure)
	// accepted. Real containers are a few kilobytes.
	MaxInputSize = 4 << 20
	// maxBERDepth bounds the nesting of BER elements. PKCS#12 structures
	// nest about ten deep; certificates are parsed separately.
	maxBERDepth = 48
)

var (
	errBERTruncated  = errors.New("truncated element")
	errBERTooDeep    = errors.New("nesting too deep")
	errBERTooLarge   = errors.New("input too large")
	errBERTrailing   = errors.New("trailing data after element")
	errBERBadTag     = errors.New("invalid tag")
	errBERBadLength  = errors.New("invalid length")
	errBERUnexpEOC   = errors.New("unexpected end-of-contents")
	errBERPrimIndef  = errors.New("indefinite length on primitive element")
	errBERBadSegment = errors.New("segment of constructed string has wrong tag")
)

// berToDER converts one BER element into DER as far as Go's encoding/asn1
// needs: indefinite lengths become definite, non-minimal lengths become
// minimal, and constructed OCTET STRINGs (and constructed character
// strings) are flattened into primitive ones. The element must span all of
// in. Other BER liberties (unsorted SETs, odd BOOLEANs) are left alone;
// encoding/asn1 tolerates them or reports them.
//
// Work is linear in the input times the depth bound, and the output is
// built in one buffer, so a hostile input cannot make it allocate more than
// a small multiple of its own size.
func berToDER(in []byte) ([]byte, error) {
	if len(in) > MaxInputSize {
		return nil, &MalformedError{Where: "BER", Offset: -1, Err: errBERTooLarge}
	}
	n := berNormaliser{in: in, out: make([]byte, 0, len(in)+16)}
	end, err := n.element(0, len(in), 0)
	if err != nil {
		return nil, err
	}
	if end != len(in) {
		return nil, &MalformedError{Where: "BER", Offset: end, Err: errBERTrailing}
	}
	return n.out, nil
}

// berNormaliser holds the input and the growing DER output.
type berNormaliser struct {
	in  []byte
	out []byte
}

// berHeader is a decoded identifier and length.
type berHeader struct {
	tag         []byte // identifier octets as they appear
	class       byte   // top two bits of the first identifier octet
	constructed bool
	number      int  // tag number
	indefinite  bool // length octet 0x80
	length      int  // content length when definite
	headerLen   int  // identifier + length octets
}

func (n *berNormaliser) fail(off int, err error) error {
	return &MalformedError{Where: "BER", Offset: off, Err: err}
}

// header decodes the identifier and length octets at pos, bounded by end.
func (n *berNormaliser) header(pos, end int) (berHeader, error) {
	var h berHeader
	p := pos
	if p >= end {
		return h, n.fail(pos, errBERTruncated)
	}
	b := n.in[p]
	p++
	h.class = b & 0xc0
	h.constructed = b&0x20 != 0
	h.number = int(b & 0x1f)
	if h.number == 0x1f {
		// High tag number form; four octets carry 28 bits, plenty.
		h.number = 0
		for i := 0; ; i++ {
			if p >= end {
				return h, n.fail(pos, errBERTruncated)
			}
			if i == 4 {
				return h, n.fail(pos, errBERBadTag)
			}
			c := n.in[p]
			p++
			h.number = h.number<<7 | int(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
	}
	h.tag = n.in[pos:p]
	if p >= end {
		return h, n.fail(pos, errBERTruncated)
	}
	l := n.in[p]
	p++
	switch {
	case l < 0x80:
		h.length = int(l)
	case l == 0x80:
		if !h.constructed {
			return h, n.fail(pos, errBERPrimIndef)
		}
		h.indefinite = true
	case l == 0xff:
		return h, n.fail(pos, errBERBadLength)
	default:
		cnt := int(l & 0x7f)
		v := 0
		for i := 0; i < cnt; i++ {
			if p >= end {
				return h, n.fail(pos, errBERTruncated)
			}
			if v > MaxInputSize {
				return h, n.fail(pos, errBERBadLength)
			}
			v = v<<8 | int(n.in[p])
			p++
		}
		h.length = v
	}
	h.headerLen = p - pos
	if !h.indefinite && h.length > end-p {
		return h, n.fail(pos, errBERTruncated)
	}
	return h, nil
}

// isStringTag reports universal tags that DER requires to be primitive and
// whose constructed BER form is a plain concatenation of segments.
func isStringTag(number int) bool {
	switch number {
	case 4, 12, 18, 19, 20, 21, 22, 25, 26, 27, 28, 29, 30:
		return true
	}
	return false
}

// element normalises the element at pos (bounded by end), appends its DER
// to n.out and returns the position after it. End-of-contents markers are
// consumed by the callers that expect them, so meeting one here is an error.
func (n *berNormaliser) element(pos, end, depth int) (int, error) {
	if depth > maxBERDepth {
		return 0, n.fail(pos, errBERTooDeep)
	}
	h, err := n.header(pos, end)
	if err != nil {
		return 0, err
	}
	if h.class == 0 && h.number == 0 {
		return 0, n.fail(pos, errBERUnexpEOC)
	}
	cpos := pos + h.headerLen
	if !h.constructed {
		n.out = append(n.out, h.tag...)
		n.out = appendLength(n.out, h.length)
		n.out = append(n.out, n.in[cpos:cpos+h.length]...)
		return cpos + h.length, nil
	}
	if h.class == 0 && isStringTag(h.number) {
		start := len(n.out)
		next, err := n.segments(cpos, end, h, depth+1)
		if err != nil {
			return 0, err
		}
		// Emit the primitive, low-tag-number form (all string tags are
		// below 31, even if the input spelt them in high-tag form).
		n.insertHeader(start, []byte{byte(h.number)})
		return next, nil
	}
	start := len(n.out)
	next, err := n.children(cpos, end, h, depth+1)
	if err != nil {
		return 0, err
	}
	n.insertHeader(start, h.tag)
	return next, nil
}

// children normalises the contents of a constructed element, either up to
// its definite end or up to the end-of-contents marker.
func (n *berNormaliser) children(cpos, end int, h berHeader, depth int) (int, error) {
	if !h.indefinite {
		stop := cpos + h.length
		p := cpos
		for p < stop {
			var err error
			if p, err = n.element(p, stop, depth); err != nil {
				return 0, err
			}
		}
		return stop, nil
	}
	p := cpos
	for {
		if isEOC(n.in, p, end) {
			return p + 2, nil
		}
		if p >= end {
			return 0, n.fail(p, errBERTruncated)
		}
		var err error
		if p, err = n.element(p, end, depth); err != nil {
			return 0, err
		}
	}
}

// segments appends the concatenated content of a constructed string's
// segments, which must carry the same universal tag (primitive or
// constructed again).
func (n *berNormaliser) segments(cpos, end int, h berHeader, depth int) (int, error) {
	stop := end
	if !h.indefinite {
		stop = cpos + h.length
	}
	p := cpos
	for {
		if h.indefinite {
			if isEOC(n.in, p, end) {
				return p + 2, nil
			}
		} else if p >= stop {
			return stop, nil
		}
		if p >= stop {
			return 0, n.fail(p, errBERTruncated)
		}
		if depth > maxBERDepth {
			return 0, n.fail(p, errBERTooDeep)
		}
		s, err := n.header(p, stop)
		if err != nil {
			return 0, err
		}
		if s.class != 0 || s.number != h.number {
			return 0, n.fail(p, fmt.Errorf("%w (want universal %d)", errBERBadSegment, h.number))
		}
		sp := p + s.headerLen
		if s.constructed {
			if p, err = n.segments(sp, stop, s, depth+1); err != nil {
				return 0, err
			}
			continue
		}
		n.out = append(n.out, n.in[sp:sp+s.length]...)
		p = sp + s.length
	}
}

// insertHeader places tag and the DER length of everything written since
// start in front of it.
func (n *berNormaliser) insertHeader(start int, tag []byte) {
	contentLen := len(n.out) - start
	var hdr [16]byte
	h := append(hdr[:0], tag...)
	h = appendLength(h, contentLen)
	n.out = append(n.out, h...) // grow by len(h)
	copy(n.out[start+len(h):], n.out[start:start+contentLen])
	copy(n.out[start:], h)
}

// isEOC reports an end-of-contents marker (00 00) at p.
func isEOC(in []byte, p, end int) bool {
	return p+1 < end && in[p] == 0 && in[p+1] == 0
}

// appendLength appends a minimal DER length.
func appendLength(b []byte, l int) []byte {
	switch {
	case l < 0x80:
		return append(b, byte(l))
	case l < 0x100:
		return append(b, 0x81, byte(l))
	case l < 0x10000:
		return append(b, 0x82, byte(l>>8), byte(l))
	case l < 0x1000000:
		return append(b, 0x83, byte(l>>16), byte(l>>8), byte(l))
	default:
		return append(b, 0x84, byte(l>>24), byte(l>>16), byte(l>>8), byte(l))
	}
}
