package test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/salyq/salyq/internal/intake"
)

// registerXML lets the validator read XML request bodies as strings.
var registerXML = sync.OnceFunc(func() {
	openapi3filter.RegisterBodyDecoder("application/xml", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/xml", openapi3filter.PlainBodyDecoder)
})

// apiValidator is an http.RoundTripper that holds every request and
// answer of the intake API to its OpenAPI document (the one the server
// embeds and serves): an unknown path or method, a body or status the
// document does not describe is reported.
type apiValidator struct {
	router routers.Router
	next   http.RoundTripper
	report func(error)
	calls  atomic.Int64
	base   string
}

// newAPIValidator validates calls to the API at base; report receives
// every violation (t.Errorf in tests).
func newAPIValidator(t testing.TB, base string, report func(error)) *apiValidator {
	t.Helper()
	registerXML()
	doc, err := openapi3.NewLoader().LoadFromData(intake.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: base}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &apiValidator{router: router, next: http.DefaultTransport, report: report}
}

func (v *apiValidator) RoundTrip(req *http.Request) (*http.Response, error) {
	v.calls.Add(1)
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	where := req.Method + " " + req.URL.Path
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		v.report(fmt.Errorf("%s: not in openapi.json: %w", where, err))
		return v.next.RoundTrip(req)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	// Validated on a copy: the validator reads the body.
	vreq := req.Clone(req.Context())
	vreq.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		v.report(fmt.Errorf("%s: request does not match openapi.json: %w", where, err))
	}
	resp, err := v.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(data)), Options: opts}
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		v.report(fmt.Errorf("%s → %d: answer does not match openapi.json: %w", where, resp.StatusCode, err))
	}
	return resp, nil
}

// TestAPIValidatorFails: the validator is able to fail. An answer the
// document does not allow — an id that is a number, a status it does not
// list, an error body without "error" — and a path it does not have are
// each reported; a correct answer is not.
func TestAPIValidatorFails(t *testing.T) {
	answers := map[string]struct {
		code int
		body string
	}{
		"/v1/forms":         {http.StatusAccepted, `{"id":5,"duplicate":false,"taxpayer":"x","form":"910.00","period":"2025-H1","kind":"dt_regular"}`},
		"/v1/forms/teapot":  {http.StatusTeapot, `{"error":"teapot"}`},
		"/v1/forms/noerror": {http.StatusNotFound, `{"message":"no such"}`},
		"/v1/forms/good":    {http.StatusNotFound, `{"error":"no submission good"}`},
		"/v1/nothing":       {http.StatusOK, `{}`},
	}
	wrong := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := answers[r.URL.Path]
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.code)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(wrong.Close)
	var mu sync.Mutex
	var got []error
	v := newAPIValidator(t, wrong.URL, func(err error) { mu.Lock(); got = append(got, err); mu.Unlock() })
	hc := &http.Client{Transport: v}
	call := func(method, path string) []error {
		mu.Lock()
		got = nil
		mu.Unlock()
		var body io.Reader
		if method == http.MethodPost {
			body = strings.NewReader("<fno/>")
		}
		req, _ := http.NewRequest(method, wrong.URL+path, body)
		if body != nil {
			req.Header.Set("Content-Type", "application/xml")
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		mu.Lock()
		defer mu.Unlock()
		return got
	}
	for _, c := range []struct{ method, path string }{
		{http.MethodPost, "/v1/forms"}, {http.MethodGet, "/v1/forms/teapot"}, {http.MethodGet, "/v1/forms/noerror"}, {http.MethodGet, "/v1/nothing"},
	} {
		if errs := call(c.method, c.path); len(errs) == 0 {
			t.Errorf("%s %s: a wrong answer passed validation", c.method, c.path)
		} else {
			t.Logf("%s %s: %v", c.method, c.path, errs[0])
		}
	}
	if errs := call(http.MethodGet, "/v1/forms/good"); len(errs) != 0 {
		t.Errorf("a correct 404 was reported: %v", errs)
	}
}
