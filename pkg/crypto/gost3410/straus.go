package gost3410

// oddTable holds, for `teeth` points P_k = 2^(k·span)·P, the odd multiples
// 1·P_k, 3·P_k, …, (2^(w−1)−1)·P_k as affine points, tooth by tooth. With
// one tooth (span = the scalar's bits) it is the plain wNAF table of P; with
// several, a scalar is cut into span-bit pieces that share one chain of span
// doublings, so a table built once (for G, or for a public key that
// verifies often) turns most of the doublings of k·P into lookups.
type oddTable struct {
	w     int // wNAF window width: digits are odd, |d| < 2^(w−1)
	span  int // bits per tooth
	teeth int
	pts   []affine // teeth × 2^(w−2)
}

// perTooth returns the number of entries of one tooth.
func (t *oddTable) perTooth() int { return 1 << (t.w - 2) }

// firstTooth returns a one-tooth view of t covering `bits` bits: the table
// of P alone, for a chain of full length.
func (t *oddTable) firstTooth(bits int) *oddTable {
	return &oddTable{w: t.w, span: bits, teeth: 1, pts: t.pts[:t.perTooth()]}
}

// newOddTable builds the table of p (any point of the prime-order group
// but the identity). Variable time: p is public.
func (c *Curve) newOddTable(p *affine, w, span, teeth int) *oddTable {
	n := 1 << (w - 2)
	proj := make([]jpoint, teeth*n)
	base := c.jFromAffine(p)
	for k := 0; k < teeth; k++ {
		if k > 0 {
			for range span {
				c.jDouble(&base, &base)
			}
		}
		row := proj[k*n : k*n+n]
		row[0] = base
		var twice jpoint
		c.jDouble(&twice, &base)
		for j := 1; j < n; j++ {
			c.jAdd(&row[j], &row[j-1], &twice)
		}
	}
	t := &oddTable{w: w, span: span, teeth: teeth, pts: make([]affine, len(proj))}
	c.jNormalize(t.pts, proj)
	return t
}

// wnaf (w ≤ 8, so that digits fit int8) writes into d (span+1 entries, zeroed by the caller) the width-w NAF
// of the span bits of the little-endian scalar k starting at bit `from`:
// Σ d[i]·2^i equals those bits, every d[i] is 0 or odd with |d[i]| < 2^(w−1),
// and of any w consecutive digits at most one is not zero.
func wnaf(d []int8, k []byte, from, span, w int) {
	bit := func(i int) int {
		if i >= span {
			return 0
		}
		j := from + i
		if j >= 8*len(k) {
			return 0
		}
		return int(k[j/8]>>(j%8)) & 1
	}
	width := 1 << w
	carry := 0
	for pos := 0; pos <= span; {
		if b := bit(pos) + carry; b&1 == 0 {
			// bit + carry is 0 or 2: digit 0 here, the carry moves up.
			carry = b >> 1
			pos++
			continue
		}
		win := carry
		for t := 0; t < w; t++ {
			win += bit(pos+t) << t
		}
		if win < width/2 {
			d[pos] = int8(win)
			carry = 0
		} else {
			d[pos] = int8(win - width)
			carry = 1
		}
		pos += w
	}
}

// mulTerm is one k·P of a joint multiplication.
type mulTerm struct {
	tab *oddTable
	k   []byte // little-endian
}

// jointMulVartime returns Σ k_i·P_i with one shared chain of doublings
// (Straus–Shamir with interleaved wNAF). All tables must have the same
// span. Variable time: only for public scalars and points.
func (c *Curve) jointMulVartime(terms ...mulTerm) jpoint {
	span := terms[0].tab.span
	type tooth struct {
		d   []int8
		pts []affine
	}
	var teeth []tooth
	for _, t := range terms {
		n := t.tab.perTooth()
		for k := 0; k < t.tab.teeth; k++ {
			d := make([]int8, span+1)
			wnaf(d, t.k, k*span, span, t.tab.w)
			teeth = append(teeth, tooth{d: d, pts: t.tab.pts[k*n : k*n+n]})
		}
	}
	var r jpoint
	var neg affine
	for i := span; i >= 0; i-- {
		if !c.jIsInf(&r) {
			c.jDouble(&r, &r)
		}
		for _, t := range teeth {
			switch d := t.d[i]; {
			case d > 0:
				c.jAddAffine(&r, &r, &t.pts[d>>1])
			case d < 0:
				p := &t.pts[(-d)>>1]
				neg.x = p.x
				c.f.neg(&neg.y, &p.y)
				c.jAddAffine(&r, &r, &neg)
			}
		}
	}
	return r
}
