package poller

import "errors"

// ErrBadReceipt means a receipt message could not be read.
var ErrBadReceipt = errors.New("bad receipt")
