package ber

// Defaults for the zero fields of [Limits]: generous for CMS with embedded
// timestamp tokens and certificates, yet small enough that a hostile input
// cannot exhaust memory or the stack.
const (
	DefaultMaxSize  = 64 << 20
	DefaultMaxDepth = 64
)

// Limits bounds the work [ToDER] does for one input. A zero (or negative)
// field takes its default.
type Limits struct {
	// MaxSize caps the input length, every length field, and every
	// element's normalised size. Default [DefaultMaxSize].
	MaxSize int
	// MaxDepth caps nesting: an element may be enclosed by at most MaxDepth
	// constructed elements (the top-level element is enclosed by none).
	// Default [DefaultMaxDepth].
	MaxDepth int
}

// withDefaults fills in the zero fields.
func (l Limits) withDefaults() Limits {
	if l.MaxSize <= 0 {
		l.MaxSize = DefaultMaxSize
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}
