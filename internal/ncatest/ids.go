package ncatest

import (
	"fmt"
	"time"

	"github.com/salyq/salyq/pkg/ncakey"
)

// NewIIN returns the seq-th test IIN: a well-formed IIN with a correct
// check digit, distinct for distinct seq in [0, 365_000_000) (the
// two-digit year wraps after a century; negative seq is taken as its
// absolute value). The IIN encodes a birth date from 1990-01-01 on,
// a 1900s male (3) or, when 3 admits no check digit, female (4) century
// digit, and a 4-digit serial.
func NewIIN(seq int) string {
	if seq < 0 {
		seq = -seq
	}
	date := time.Date(1990, 1, 1+seq/10000, 0, 0, 0, 0, time.UTC).Format("060102")
	return withCheckDigit(date, "34", fmt.Sprintf("%04d", seq%10000))
}

// NewBIN returns the seq-th test BIN: a well-formed BIN with a correct
// check digit, distinct for distinct seq in [0, 120_000_000) (the
// two-digit year wraps after a century; negative seq is taken as its
// absolute value). It encodes a registration month from 2010-01 on,
// a resident legal entity (4), a head office (0) or, when 0 admits no
// check digit, branch (1) attribute, and a 5-digit serial.
func NewBIN(seq int) string {
	if seq < 0 {
		seq = -seq
	}
	month := time.Date(2010, time.Month(1+seq/100000), 1, 0, 0, 0, 0, time.UTC).Format("0601")
	return withCheckDigit(month+"4", "01", fmt.Sprintf("%05d", seq%100000))
}

// withCheckDigit returns head+c+tail+check for the first c in choices
// that admits a check digit. Two adjacent digits always suffice: their
// first-round sums differ by the weight of that position, which is
// non-zero mod 11, so they cannot both reach 10 in the first round.
func withCheckDigit(head, choices, tail string) string {
	for i := 0; i < len(choices); i++ {
		s := head + choices[i:i+1] + tail
		if d, ok := ncakey.CheckDigit(s); ok {
			return s + string(rune('0'+d))
		}
	}
	// Unreachable by the argument above; an invalid id here would make
	// the caller's test fail loudly rather than silently.
	return head + choices[:1] + tail + "0"
}
