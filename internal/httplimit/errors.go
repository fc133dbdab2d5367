package httplimit

import "errors"

// ErrBusy means the server had no room for a request (too many requests
// in progress, or no body budget within the wait): the client may retry
// after the Retry-After the answer carries.
var ErrBusy = errors.New("server busy")

// ErrSize means a size (a flag, a variable) could not be read.
var ErrSize = errors.New("invalid size")
