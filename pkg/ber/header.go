package ber

import "fmt"

// header is a decoded identifier and length.
type header struct {
	tagLen, hdrLen int  // identifier octets; identifier and length octets
	class          byte // top two bits of the first identifier octet
	number         int  // tag number
	constructed    bool
	indefinite     bool // length octet 0x80
	length         int  // content length when definite
}

// flattens reports the constructed strings that become primitive: a
// universal string type whose constructed BER form is a concatenation of
// segments carrying the same tag.
func (h header) flattens() bool {
	return h.constructed && h.class == 0 && isStringTag(h.number)
}

// isStringTag reports OCTET STRING and the restricted character string
// types (X.690 8.23). Kalkan chunks OCTET STRINGs this way; BMPStrings
// (friendlyName in PKCS#12) can be chunked by other BER writers. The
// unrestricted CHARACTER STRING (29) is a SEQUENCE in disguise and is not
// flattened; BIT STRING segments carry their own unused-bits octet and
// would need more than concatenation.
func isStringTag(number int) bool {
	switch number {
	case 4, 12, 18, 19, 20, 21, 22, 25, 26, 27, 28, 30:
		return true
	}
	return false
}

// readHeader decodes the identifier and length octets of the element at
// pos, which together with a definite-length content must fit before end.
func readHeader(in []byte, pos, end, maxSize int) (header, error) {
	var h header
	p := pos
	if p >= end {
		return h, syntaxError(pos, ErrTruncated)
	}
	b := in[p]
	p++
	h.class = b & 0xc0
	h.constructed = b&0x20 != 0
	h.number = int(b & 0x1f)
	if h.number == 0x1f {
		// High tag number form: base-128 continuation octets. Four carry
		// 28 bits, more than any real structure needs.
		h.number = 0
		for i := 0; ; i++ {
			if i == 4 {
				return h, syntaxError(pos, ErrTag)
			}
			if p >= end {
				return h, syntaxError(pos, ErrTruncated)
			}
			c := in[p]
			p++
			h.number = h.number<<7 | int(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
	}
	h.tagLen = p - pos
	if p >= end {
		return h, syntaxError(pos, ErrTruncated)
	}
	l := in[p]
	p++
	switch {
	case l < 0x80:
		h.length = int(l)
	case l == 0x80:
		if !h.constructed {
			return h, syntaxError(pos, fmt.Errorf("%w: indefinite length on a primitive element", ErrLength))
		}
		h.indefinite = true
	default:
		// Four length octets reach 4 GiB; more (and 0xff, reserved) are
		// refused rather than risk overflowing int.
		k := int(l & 0x7f)
		if k > 4 {
			return h, syntaxError(pos, ErrLength)
		}
		if end-p < k {
			return h, syntaxError(pos, ErrTruncated)
		}
		var v uint64
		for _, c := range in[p : p+k] {
			v = v<<8 | uint64(c)
		}
		p += k
		if v > uint64(maxSize) {
			return h, syntaxError(pos, ErrLength)
		}
		h.length = int(v)
	}
	h.hdrLen = p - pos
	if !h.indefinite && h.length > end-p {
		return h, syntaxError(pos, ErrTruncated)
	}
	return h, nil
}

// lengthSize is the size of the minimal DER length octets for n.
func lengthSize(n int) int {
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
	k := lengthSize(n) - 1
	dst = append(dst, 0x80|byte(k))
	for i := k - 1; i >= 0; i-- {
		dst = append(dst, byte(n>>(8*i)))
	}
	return dst
}
