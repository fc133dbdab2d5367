package pkcs12

import "github.com/salyq/salyq/pkg/ber"

// Limits that keep hostile input from exhausting the stack or memory.
const (
	// MaxInputSize is the largest container (and largest inner structure)
	// accepted. Real containers are a few kilobytes.
	MaxInputSize = 4 << 20
	// maxBERDepth bounds the nesting of BER elements. PKCS#12 structures
	// nest about ten deep; certificates are parsed separately.
	maxBERDepth = 48
)

// berLimits applies this package's bounds to BER normalisation.
func berLimits() ber.Limits { return ber.Limits{MaxSize: MaxInputSize, MaxDepth: maxBERDepth} }
