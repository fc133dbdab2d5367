package breaks

import "errors"

var (
	// ErrSyntax means a schedule does not follow the grammar.
	ErrSyntax = errors.New("bad break schedule")
	// ErrAlways means the weekly breaks leave no time to send in.
	ErrAlways = errors.New("breaks cover the whole week: nothing would ever be sent")
)
