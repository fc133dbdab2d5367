package client

import (
	"errors"
	"testing"
)

// TestAPIErrorIs: each status maps to its sentinel, and only
// unavailability is temporary. (The client against a real intake is
// tested in test/api_test.go.)
func TestAPIErrorIs(t *testing.T) {
	for code, want := range map[int]error{400: ErrBadRequest, 401: ErrUnauthorized, 403: ErrForbidden, 404: ErrNotFound,
		413: ErrTooLarge, 422: ErrRefused, 429: ErrUnavailable, 502: ErrUnavailable, 503: ErrUnavailable} {
		err := error(&APIError{StatusCode: code, Message: "m"})
		if !errors.Is(err, want) {
			t.Errorf("%d is not %v", code, want)
		}
		if temp := err.(*APIError).Temporary(); temp != (want == ErrUnavailable) {
			t.Errorf("%d: temporary %v", code, temp)
		}
	}
	if errors.Is(&APIError{StatusCode: 422}, ErrNotFound) {
		t.Error("422 is ErrNotFound")
	}
}

func TestNewBaseURL(t *testing.T) {
	for _, bad := range []string{"", "localhost:8480", "ftp://x", "http://"} {
		if _, err := New(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	c, err := New("https://salyq.example:8480/", WithToken("t"), WithPolling(Backoff{}))
	if err != nil || c.base.String() != "https://salyq.example:8480" || c.poll.Min <= 0 || c.poll.Factor < 1 {
		t.Errorf("%+v %v", c, err)
	}
}
