package gateway

import "errors"

var (
	// ErrUntrustedAnswer means an answer was not signed by one of the
	// configured gateway certificates.
	ErrUntrustedAnswer = errors.New("answer not signed by the gateway")
	// ErrHTTPStatus means the gateway answered with an HTTP error status.
	ErrHTTPStatus = errors.New("gateway HTTP error")
	// ErrRefused means SONO or the gateway refused the request.
	ErrRefused = errors.New("refused")
)

// ErrCodesFile means an error-code file (--codes) is unreadable or
// invalid; the error names the file and, where it can, the code.
var ErrCodesFile = errors.New("error-code file")
