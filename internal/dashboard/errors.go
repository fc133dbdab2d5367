package dashboard

import "errors"

var (
	// ErrNoSession means the request carries no valid session cookie.
	ErrNoSession = errors.New("dashboard: no valid session")
	// ErrCSRF means a state-changing request lacks the session's CSRF
	// token or comes from another origin.
	ErrCSRF = errors.New("dashboard: request not from this dashboard")
	// ErrBadQuery means a query parameter is unknown, too long or
	// malformed.
	ErrBadQuery = errors.New("dashboard: bad query")
	// ErrBusy means every live-update connection is taken.
	ErrBusy = errors.New("dashboard: too many live-update connections")
	// ErrConfig means the dashboard was configured without what it needs.
	ErrConfig = errors.New("dashboard: configuration")
)

// QueryError names the query parameter that was refused and why.
type QueryError struct {
	Param, Reason string
}

// Error names the parameter and the reason.
func (e *QueryError) Error() string { return "query parameter " + e.Param + ": " + e.Reason }

// Is makes a QueryError an ErrBadQuery.
func (e *QueryError) Is(target error) bool { return target == ErrBadQuery }
