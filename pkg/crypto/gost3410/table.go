package gost3410

// baseTable holds, for window i and digit j = 1..15, the affine point
// j·16^i·G, so that k·G for a scalar of 2·size nibbles costs one mixed
// addition per nibble and no doublings.
type baseTable struct {
	pts []affine // windows × 15
}

// buildTable computes the table once per curve (about 15 additions per
// window and a single field inversion thanks to batch normalisation).
func (c *Curve) buildTable() *baseTable {
	f := c.f
	windows := 2 * c.size
	proj := make([]point, windows*15)
	base := point{x: c.gx, y: c.gy, z: f.one}
	for i := 0; i < windows; i++ {
		row := proj[i*15 : i*15+15]
		row[0] = base
		for j := 1; j < 15; j++ {
			c.add(&row[j], &row[j-1], &base)
		}
		c.add(&base, &row[14], &base) // 16·base
	}
	// Montgomery's trick: one inversion for all the Z coordinates. No Z is
	// zero because q is prime and larger than 15.
	prefix := make([]fe, len(proj))
	acc := f.one
	for i := range proj {
		prefix[i] = acc
		f.mul(&acc, &acc, &proj[i].z)
	}
	var inv fe
	f.inv(&inv, &acc)
	t := &baseTable{pts: make([]affine, len(proj))}
	for i := len(proj) - 1; i >= 0; i-- {
		var zi fe
		f.mul(&zi, &inv, &prefix[i])
		f.mul(&inv, &inv, &proj[i].z)
		f.mul(&t.pts[i].x, &proj[i].x, &zi)
		f.mul(&t.pts[i].y, &proj[i].y, &zi)
	}
	return t
}

// nibble returns the i-th 4-bit digit of the little-endian scalar k.
func nibble(k []byte, i int) uint64 {
	return uint64(k[i/2]>>(4*(i%2))) & 15
}

// baseMul returns k·G for a little-endian scalar of exactly size bytes. Every
// nibble is processed, the table row is read in full with masked selects and
// the digit-0 case is masked too, so time and memory access pattern do not
// depend on k (as far as Go's compiler lets a program promise that).
func (c *Curve) baseMul(k []byte) point {
	tab := c.table().pts
	r := c.identity()
	for i := 0; i < 2*len(k); i++ {
		d := nibble(k, i)
		var a affine
		row := tab[i*15 : i*15+15]
		for j := range row {
			eq := ctEq(uint64(j+1), d)
			cmov(&a.x, &row[j].x, eq)
			cmov(&a.y, &row[j].y, eq)
		}
		var t point
		c.addMixed(&t, &r, &a)
		cmovPoint(&r, &t, 1^ctEq(d, 0))
	}
	return r
}

// scalarMulVartime returns k·p with a 4-bit window: only for public scalars.
func (c *Curve) scalarMulVartime(p *point, k []byte) point {
	var tab [16]point
	tab[0] = c.identity()
	tab[1] = *p
	for i := 2; i < 16; i++ {
		c.add(&tab[i], &tab[i-1], p)
	}
	r := c.identity()
	for i := 2*len(k) - 1; i >= 0; i-- {
		c.double(&r, &r)
		c.double(&r, &r)
		c.double(&r, &r)
		c.double(&r, &r)
		if d := nibble(k, i); d != 0 {
			c.add(&r, &r, &tab[d])
		}
	}
	return r
}

// ctEq returns 1 if a == b and 0 otherwise, without branching.
func ctEq(a, b uint64) uint64 {
	x := a ^ b
	return 1 ^ ((x | -x) >> 63)
}
