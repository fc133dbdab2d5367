package cms

import "github.com/salyq/salyq/pkg/ber"

// Bounds that keep hostile input from exhausting stack or memory. CMS nests
// about fifteen levels deep including an embedded timestamp token; the
// certificates inside add a few more.
const (
	// MaxInputSize is the largest SignedData Parse accepts.
	MaxInputSize = 64 << 20
	maxBERDepth  = 64
)

// berLimits applies this package's bounds to BER normalisation.
func berLimits() ber.Limits { return ber.Limits{MaxSize: MaxInputSize, MaxDepth: maxBERDepth} }
