package ncatest

import "errors"

// ErrRequest means an issue request cannot describe an NCA certificate
// (unknown role, missing or malformed identifier, empty validity window).
var ErrRequest = errors.New("ncatest: bad issue request")
