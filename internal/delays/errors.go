package delays

import "errors"

// ErrConfig means a Watch was configured without what it needs.
var ErrConfig = errors.New("delays: configuration")
