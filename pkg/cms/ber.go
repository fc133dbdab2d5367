package cms

import "errors"

// Bounds that keep hostile input from exhausting stack or memory. CMS nests
// about fifteen levels deep including an embedded timestamp token; the
// certificates inside add a few more.
const (
	// MaxInputSize is the largest SignedData Parse accepts.
	MaxInputSize = 64 << 20
	maxBERDepth  = 64
)

var (
	errBERTruncated = errors.New("BER: truncated element")
	errBERDepth     = errors.New("BER: nesting too deep")
	errBERSize      = errors.New("BER: input too large")
	errBERTrailing  = errors.New("BER: trailing data")
	errBERLength    = errors.New("BER: invalid length")
	errBERTag       = errors.New("BER: invalid tag")
	errBEREOC       = errors.New("BER: misplaced end-of-contents")
	errBERSegment   = errors.New("BER: constructed string segment is not an OCTET STRING")
)

// berToDER rewrites one BER element (spanning all of in) in the DER form
// cryptobyte reads: indefinite lengths become definite, lengths become
// minimal, and constructed OCTET STRINGs become primitive. Other BER
// liberties (unsorted SETs, non-canonical BOOLEANs) are left for the parser
// to refuse. A DER input comes back byte-identical, which keeps signed bytes
// (signedAttrs, certificates) intact.
//
// It works in two passes so that time and memory stay linear in the input:
// the first validates the structure and records every element's DER content
// length in visiting order, the second writes headers and contents.
func berToDER(in []byte) ([]byte, error) {
	if len(in) > MaxInputSize {
		return nil, errBERSize
	}
	n := berNormaliser{in: in}
	end, err := n.measure(0, len(in), 0)
	if err != nil {
		return nil, err
	}
	if end != len(in) {
		return nil, errBERTrailing
	}
	n.out = make([]byte, 0, len(in))
	n.emit(0, false)
	return n.out, nil
}

// berNormaliser holds the input, the content lengths the first pass
// recorded, and the output of the second.
type berNormaliser struct {
	in   []byte
	lens []int
	next int // index into lens during emit
	out  []byte
}

// berHeader is a decoded identifier and length.
type berHeader struct {
	tagLen, hdrLen int
	constructed    bool
	indefinite     bool
	length         int
}

func (n *berNormaliser) header(pos, end int) (berHeader, error) {
	var h berHeader
	tl, err := berTagLen(n.in[pos:end])
	if err != nil {
		return h, err
	}
	length, ll, indef, err := berLength(n.in[pos+tl : end])
	if err != nil {
		return h, err
	}
	h = berHeader{tagLen: tl, hdrLen: tl + ll, constructed: n.in[pos]&0x20 != 0, indefinite: indef, length: length}
	if indef && !h.constructed {
		return h, errBERLength
	}
	if !indef && length > end-pos-h.hdrLen {
		return h, errBERTruncated
	}
	return h, nil
}

// isConstructedOctetString reports the one constructed string form that is
// flattened; Kalkan and other BER writers chunk eContent this way.
func (n *berNormaliser) isConstructedOctetString(pos int, h berHeader) bool {
	return h.tagLen == 1 && n.in[pos] == 0x24
}

// measure validates the element at pos (bounded by end), records its DER
// content length and returns the position after it.
func (n *berNormaliser) measure(pos, end, depth int) (int, error) {
	if depth > maxBERDepth {
		return 0, errBERDepth
	}
	h, err := n.header(pos, end)
	if err != nil {
		return 0, err
	}
	slot := len(n.lens)
	n.lens = append(n.lens, 0)
	start := pos + h.hdrLen
	if !h.constructed {
		n.lens[slot] = h.length
		return start + h.length, nil
	}
	limit := end
	if !h.indefinite {
		limit = start + h.length
	}
	flatten := n.isConstructedOctetString(pos, h)
	sum := 0
	p := start
	for {
		if h.indefinite && limit-p >= 2 && n.in[p] == 0 && n.in[p+1] == 0 {
			p += 2
			break
		}
		if !h.indefinite && p == limit {
			break
		}
		if p >= limit {
			return 0, errBERTruncated
		}
		if n.in[p] == 0 {
			return 0, errBEREOC
		}
		if flatten && n.in[p] != 0x04 && n.in[p] != 0x24 {
			return 0, errBERSegment
		}
		childSlot := len(n.lens)
		tl, _ := berTagLen(n.in[p:limit])
		q, err := n.measure(p, limit, depth+1)
		if err != nil {
			return 0, err
		}
		c := n.lens[childSlot]
		if flatten {
			sum += c
		} else {
			sum += tl + derLengthSize(c) + c
		}
		if sum > MaxInputSize {
			return 0, errBERSize
		}
		p = q
	}
	n.lens[slot] = sum
	return p, nil
}

// emit writes the element at pos, already validated by measure. Inside a
// flattened OCTET STRING only contents are written.
func (n *berNormaliser) emit(pos int, bare bool) int {
	h, _ := n.header(pos, len(n.in))
	length := n.lens[n.next]
	n.next++
	flatten := h.constructed && n.isConstructedOctetString(pos, h)
	if !bare {
		if flatten {
			n.out = append(n.out, 0x04)
		} else {
			n.out = append(n.out, n.in[pos:pos+h.tagLen]...)
		}
		n.out = appendLength(n.out, length)
	}
	start := pos + h.hdrLen
	if !h.constructed {
		n.out = append(n.out, n.in[start:start+h.length]...)
		return start + h.length
	}
	p := start
	for {
		if h.indefinite && n.in[p] == 0 && n.in[p+1] == 0 {
			return p + 2
		}
		if !h.indefinite && p == start+h.length {
			return p
		}
		p = n.emit(p, bare || flatten)
	}
}

// berTagLen returns the length of the identifier octets at the start of in.
func berTagLen(in []byte) (int, error) {
	if len(in) == 0 {
		return 0, errBERTruncated
	}
	if in[0]&0x1f != 0x1f {
		return 1, nil
	}
	// High tag number form: base-128 continuation octets. Four are more
	// than any real structure needs.
	for i := 1; i < len(in) && i <= 4; i++ {
		if in[i]&0x80 == 0 {
			return i + 1, nil
		}
	}
	if len(in) <= 4 {
		return 0, errBERTruncated
	}
	return 0, errBERTag
}

// berLength decodes the length octets at the start of in.
func berLength(in []byte) (length, n int, indefinite bool, err error) {
	if len(in) == 0 {
		return 0, 0, false, errBERTruncated
	}
	b := in[0]
	switch {
	case b < 0x80:
		return int(b), 1, false, nil
	case b == 0x80:
		return 0, 1, true, nil
	case b == 0xff:
		return 0, 0, false, errBERLength
	}
	k := int(b & 0x7f)
	if k > 4 {
		return 0, 0, false, errBERLength
	}
	if len(in) < 1+k {
		return 0, 0, false, errBERTruncated
	}
	for _, c := range in[1 : 1+k] {
		length = length<<8 | int(c)
	}
	if length > MaxInputSize {
		return 0, 0, false, errBERLength
	}
	return length, 1 + k, false, nil
}

// derLengthSize is the size of the minimal DER length octets for n.
func derLengthSize(n int) int {
	s := 1
	if n >= 0x80 {
		for ; n > 0; n >>= 8 {
			s++
		}
	}
	return s
}

// appendLength appends the minimal DER length octets for n.
func appendLength(dst []byte, n int) []byte {
	if n < 0x80 {
		return append(dst, byte(n))
	}
	k := derLengthSize(n) - 1
	dst = append(dst, 0x80|byte(k))
	for i := k - 1; i >= 0; i-- {
		dst = append(dst, byte(n>>(8*i)))
	}
	return dst
}
