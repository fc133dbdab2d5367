package poller

import "errors"

var (
	// ErrBadReceipt means a status event, or the receipt it carries, could
	// not be read.
	ErrBadReceipt = errors.New("bad receipt")
	// ErrLeaseLost means another poller wrote the lease key: it took the
	// lease over.
	ErrLeaseLost = errors.New("poller lease taken by another poller")
	// ErrLeaseExpired means no renewal of the lease succeeded for a whole
	// lease period.
	ErrLeaseExpired = errors.New("poller lease not renewed for a whole period")
	// ErrConfig means the poller's configuration is incomplete.
	ErrConfig = errors.New("poller configuration")
	// ErrStopped means the receipt consumer stopped while the poller was
	// active and not shutting down.
	ErrStopped = errors.New("receipt consumer stopped")
	// ErrNoAnswer means a status poll got no usable answer.
	ErrNoAnswer = errors.New("status poll without an answer")
)
