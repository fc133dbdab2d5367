package filed

import "errors"

var (
	// ErrNotReady means the index has not caught up with SALYQ_FILED
	// since it opened: it cannot tell yet whether a form was filed.
	ErrNotReady = errors.New("filed-ids index still catching up")
)
