package intake_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/salyq/salyq/internal/intake"
)

func TestHTTPAPI(t *testing.T) {
	r := newRig(t)
	hs := httptest.NewServer(r.in.Handler())
	t.Cleanup(hs.Close)

	post := func(t *testing.T, body []byte) (*http.Response, []byte) {
		t.Helper()
		return request(t, http.DefaultClient, http.MethodPost, hs.URL+"/v1/forms", "", body)
	}
	get := func(t *testing.T, path string) (*http.Response, []byte) {
		t.Helper()
		return request(t, http.DefaultClient, http.MethodGet, hs.URL+path, "", nil)
	}

	// POST a good form: 202 with the id and where to look.
	resp, body := post(t, good(t).build())
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	var res intake.Result
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if res.ID == "" || res.Duplicate || res.Taxpayer != iin(t) {
		t.Errorf("result %+v", res)
	}
	if loc := resp.Header.Get("Location"); loc != "/v1/forms/"+res.ID {
		t.Errorf("Location %q", loc)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}

	// POST it again: still 202, the same id, a duplicate.
	resp, body = post(t, good(t).build())
	var again intake.Result
	if err := json.Unmarshal(body, &again); err != nil || resp.StatusCode != http.StatusAccepted || again.ID != res.ID || !again.Duplicate {
		t.Errorf("second POST: %d %s", resp.StatusCode, body)
	}

	// GET it: the view and its history.
	resp, body = get(t, "/v1/forms/"+res.ID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET: %d %s", resp.StatusCode, body)
	}
	var st intake.Status
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if st.ID != res.ID || st.Status != "queued" || st.Taxpayer != iin(t) || st.Form != "910.00" || st.Period != "2025-H1" {
		t.Errorf("view %+v", st.View)
	}
	if len(st.History) != 1 || st.History[0].To != "queued" || st.History[0].ID != res.ID {
		t.Errorf("history %+v", st.History)
	}

	tests := []struct {
		name   string
		do     func(t *testing.T) (*http.Response, []byte)
		status int
		field  string
	}{
		{"bad form", func(t *testing.T) (*http.Response, []byte) {
			g := good(t)
			g.year = 2027
			return post(t, g.build())
		}, http.StatusUnprocessableEntity, "period"},
		{"not XML", func(t *testing.T) (*http.Response, []byte) { return post(t, []byte("hello")) }, http.StatusUnprocessableEntity, "document"},
		{"oversized body", func(t *testing.T) (*http.Response, []byte) {
			return post(t, bytes.Repeat([]byte("x"), intake.DefaultMaxFormSize+1))
		}, http.StatusRequestEntityTooLarge, "size"},
		{"unknown id", func(t *testing.T) (*http.Response, []byte) { return get(t, "/v1/forms/0123456789abcdef") }, http.StatusNotFound, ""},
		{"wrong method", func(t *testing.T) (*http.Response, []byte) { return get(t, "/v1/forms") }, http.StatusMethodNotAllowed, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := tc.do(t)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.status == http.StatusMethodNotAllowed {
				return
			}
			var ref intake.Refusal
			if err := json.Unmarshal(body, &ref); err != nil {
				t.Fatalf("not a JSON refusal: %v: %s", err, body)
			}
			if ref.Error == "" || ref.Field != tc.field || (tc.field != "" && ref.Reason == "") {
				t.Errorf("refusal %+v, want field %q with a reason", ref, tc.field)
			}
		})
	}
	if n := r.queued(t); n != 1 {
		t.Errorf("%d messages queued, want 1", n)
	}

	resp, _ = get(t, "/healthz")
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
}

// TestHostileIDs: ids NATS cannot take as a key (4,100 characters, a
// wildcard, a space, NUL) are refused with 400 naming the field, before
// anything reaches NATS; the connection stays up and the API keeps
// serving good requests.
func TestHostileIDs(t *testing.T) {
	r := newRig(t)
	hs := httptest.NewServer(r.in.Handler())
	t.Cleanup(hs.Close)
	do := func(t *testing.T, method, path string, body []byte) (*http.Response, []byte) {
		t.Helper()
		return request(t, http.DefaultClient, method, hs.URL+path, "", body)
	}
	tests := []struct {
		name, path, field string
	}{
		{"4,100 characters", "/v1/forms/" + strings.Repeat("a", 4100), "id"},
		{"star", "/v1/forms/*", "id"},
		{"greater-than", "/v1/forms/abc%3E", "id"},
		{"raw greater-than", "/v1/forms/>", "id"},
		{"space", "/v1/forms/a%20b", "id"},
		{"NUL", "/v1/forms/a%00b", "id"},
		{"dot", "/v1/forms/a.b", "id"},
		{"NUL in a query parameter", "/v1/forms/0123456789abcdef?x=%00", "x"},
		{"long query parameter", "/v1/forms/0123456789abcdef?x=" + strings.Repeat("y", 4100), "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, http.MethodGet, tc.path, nil)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", resp.StatusCode, body)
			}
			var ref intake.Refusal
			if err := json.Unmarshal(body, &ref); err != nil {
				t.Fatalf("not a JSON refusal: %v: %s", err, body)
			}
			if ref.Field != tc.field || ref.Reason == "" {
				t.Errorf("refusal %+v, want field %q with a reason", ref, tc.field)
			}
		})
	}
	if st := r.js.Conn().Status(); st != nats.CONNECTED {
		t.Fatalf("NATS connection %v after hostile ids, want connected", st)
	}
	resp, body := do(t, http.MethodPost, "/v1/forms", good(t).build())
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST after hostile ids: %d %s", resp.StatusCode, body)
	}
	var res intake.Result
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if resp, body = do(t, http.MethodGet, "/v1/forms/"+res.ID, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET after hostile ids: %d %s", resp.StatusCode, body)
	}
	if st := r.js.Conn().Status(); st != nats.CONNECTED {
		t.Fatalf("NATS connection %v, want connected", st)
	}
}
