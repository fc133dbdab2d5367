package ber

import "fmt"

// ToDER rewrites the one BER element that spans all of in into DER:
// indefinite lengths become definite, lengths become minimal, and
// constructed OCTET STRINGs and character strings become primitive, whatever
// form their tag was written in. Segments of such strings must carry the
// string's own universal tag. A DER input comes back byte-identical; the
// result never aliases in, so callers may clear it when it held secrets.
//
// It works in two passes so that time and memory stay linear in the input:
// the first validates the structure and records each constructed element's
// DER content length in visiting order, the second writes headers and
// contents into a buffer of exactly the right size.
//
// Every error is a [*SyntaxError].
func ToDER(in []byte, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	if len(in) > lim.MaxSize {
		return nil, &SyntaxError{Offset: -1, Err: ErrTooLarge}
	}
	n := normaliser{in: in, lim: lim}
	end, _, size, err := n.measure(0, len(in), 0, -1)
	if err != nil {
		return nil, err
	}
	if end != len(in) {
		return nil, syntaxError(end, ErrTrailing)
	}
	n.out = make([]byte, 0, size)
	n.emit(0, false)
	return n.out, nil
}

// normaliser holds the input, the content lengths the first pass recorded
// and the output of the second.
type normaliser struct {
	in   []byte
	lim  Limits
	lens []int // DER content length of each constructed element, in order
	next int   // index into lens during emit
	out  []byte
}

// measure validates the element at pos (bounded by end) and returns the
// position after it, its DER content length and its whole DER size. When
// seg is not negative the element is a segment of a constructed string and
// must carry universal tag seg.
func (n *normaliser) measure(pos, end, depth, seg int) (next, content, size int, err error) {
	if depth > n.lim.MaxDepth {
		return 0, 0, 0, syntaxError(pos, ErrTooDeep)
	}
	h, err := readHeader(n.in, pos, end, n.lim.MaxSize)
	if err != nil {
		return 0, 0, 0, err
	}
	if h.class == 0 && h.number == 0 {
		return 0, 0, 0, syntaxError(pos, ErrEOC)
	}
	if seg >= 0 && (h.class != 0 || h.number != seg) {
		return 0, 0, 0, syntaxError(pos, fmt.Errorf("%w (want universal %d)", ErrSegment, seg))
	}
	start := pos + h.hdrLen
	if !h.constructed {
		return start + h.length, h.length, h.tagLen + lengthSize(h.length) + h.length, nil
	}
	slot := len(n.lens)
	n.lens = append(n.lens, 0)
	limit := end
	if !h.indefinite {
		limit = start + h.length
	}
	flatten := h.flattens()
	childSeg := -1
	if flatten {
		childSeg = h.number
	}
	sum := 0
	p := start
	for {
		if h.indefinite && isEOC(n.in, p, limit) {
			p += 2
			break
		}
		if !h.indefinite && p == limit {
			break
		}
		if p >= limit {
			return 0, 0, 0, syntaxError(p, ErrTruncated)
		}
		q, c, s, err := n.measure(p, limit, depth+1, childSeg)
		if err != nil {
			return 0, 0, 0, err
		}
		if flatten {
			sum += c
		} else {
			sum += s
		}
		if sum > n.lim.MaxSize {
			return 0, 0, 0, syntaxError(pos, ErrTooLarge)
		}
		p = q
	}
	n.lens[slot] = sum
	tagLen := h.tagLen
	if flatten {
		tagLen = 1 // string tags are below 31: always the short form
	}
	return p, sum, tagLen + lengthSize(sum) + sum, nil
}

// emit writes the element at pos, already validated by measure, and
// returns the position after it. Inside a flattened string (bare) only
// contents are written.
func (n *normaliser) emit(pos int, bare bool) int {
	h, _ := readHeader(n.in, pos, len(n.in), n.lim.MaxSize)
	start := pos + h.hdrLen
	if !h.constructed {
		if !bare {
			n.out = append(n.out, n.in[pos:pos+h.tagLen]...)
			n.out = appendLength(n.out, h.length)
		}
		n.out = append(n.out, n.in[start:start+h.length]...)
		return start + h.length
	}
	length := n.lens[n.next]
	n.next++
	flatten := h.flattens()
	if !bare {
		if flatten {
			n.out = append(n.out, byte(h.number))
		} else {
			n.out = append(n.out, n.in[pos:pos+h.tagLen]...)
		}
		n.out = appendLength(n.out, length)
	}
	p := start
	for {
		if h.indefinite && isEOC(n.in, p, len(n.in)) {
			return p + 2
		}
		if !h.indefinite && p == start+h.length {
			return p
		}
		p = n.emit(p, bare || flatten)
	}
}

// isEOC reports an end-of-contents marker (00 00) at p, before end.
func isEOC(in []byte, p, end int) bool {
	return end-p >= 2 && in[p] == 0 && in[p+1] == 0
}
