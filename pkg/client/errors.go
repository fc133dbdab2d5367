package client

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

var (
	// ErrBadRequest is a malformed request (400): an invalid id.
	ErrBadRequest = errors.New("bad request")
	// ErrUnauthorized is a request without a valid token (401).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden is a token or certificate not allowed for the
	// taxpayer (403).
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound is an unknown submission id (404).
	ErrNotFound = errors.New("submission not found")
	// ErrTooLarge is a form over the server's maximum form size (413):
	// permanent.
	ErrTooLarge = errors.New("form too large")
	// ErrRefused is a form refused by a check (422): permanent; the
	// APIError names the field and the reason.
	ErrRefused = errors.New("form refused")
	// ErrUnavailable is a temporary failure (503, another 5xx, or no
	// answer): the same request may be sent again.
	ErrUnavailable = errors.New("service unavailable")
)

// APIError is an error answer of the API.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Message, Field and Reason are the answer's error, field and reason.
	Message, Field, Reason string
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("salyq: %d %s", e.StatusCode, e.Message)
	if e.Field != "" {
		s += ": " + e.Field
		if e.Reason != "" {
			s += ": " + e.Reason
		}
	}
	return s
}

// Is matches the sentinel of e's status: errors.Is(err, ErrRefused).
func (e *APIError) Is(target error) bool {
	return target == sentinel(e.StatusCode)
}

// Temporary reports whether the same request may succeed later.
func (e *APIError) Temporary() bool { return sentinel(e.StatusCode) == ErrUnavailable }

func sentinel(code int) error {
	switch code {
	case http.StatusBadRequest:
		return ErrBadRequest
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusForbidden:
		return ErrForbidden
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusRequestEntityTooLarge:
		return ErrTooLarge
	case http.StatusUnprocessableEntity:
		return ErrRefused
	}
	if code >= 500 || code == http.StatusTooManyRequests {
		return ErrUnavailable
	}
	return nil
}
