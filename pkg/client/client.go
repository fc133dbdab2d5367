package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls one salyq intake API. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	hc    *http.Client
	poll  Backoff
}

// Backoff spaces the polls of Wait and Follow: Min after the first,
// growing by Factor to at most Max.
type Backoff struct {
	Min, Max time.Duration
	Factor   float64
}

// DefaultBackoff polls after 1 s, then up to every 30 s: a form takes
// minutes to hours to reach a final status at SONO.
func DefaultBackoff() Backoff {
	return Backoff{Min: time.Second, Max: 30 * time.Second, Factor: 1.5}
}

// Option configures a Client.
type Option func(*Client)

// WithToken sends Authorization: Bearer token with every request.
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithHTTPClient uses hc (its TLS configuration, client certificate,
// proxy, timeout and transport) instead of a client with a 60 s timeout.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithPolling sets how Wait and Follow space their polls.
func WithPolling(b Backoff) Option { return func(c *Client) { c.poll = b } }

// New returns a client of the API at baseURL, e.g.
// https://salyq.example.kz:8480.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("salyq client: base URL %q: want http(s)://host[:port]", baseURL)
	}
	c := &Client{base: u, hc: &http.Client{Timeout: 60 * time.Second}, poll: DefaultBackoff()}
	for _, o := range opts {
		o(c)
	}
	if c.poll.Min <= 0 {
		c.poll.Min = DefaultBackoff().Min
	}
	if c.poll.Max < c.poll.Min {
		c.poll.Max = c.poll.Min
	}
	if c.poll.Factor < 1 {
		c.poll.Factor = 1
	}
	return c, nil
}

// Submit submits one form and returns once salyq has stored it. A
// refusal is an *APIError matching ErrRefused (with the field and
// reason), ErrTooLarge, ErrUnauthorized or ErrForbidden; ErrUnavailable
// may be retried with the same form.
func (c *Client) Submit(ctx context.Context, form []byte) (Submission, error) {
	var s Submission
	err := c.do(ctx, http.MethodPost, "/v1/forms", form, &s)
	return s, err
}

// Batch names the batch forms are submitted in: ID (letters, digits, -
// and _, at most 64) and an optional label, Name (a file name, at most
// 256 bytes).
type Batch struct {
	ID   string
	Name string
}

// header is the batch as request headers; none for the zero Batch.
func (b Batch) header() http.Header {
	h := http.Header{}
	if b.ID != "" {
		h.Set("Salyq-Batch", b.ID)
	}
	if b.Name != "" {
		h.Set("Salyq-Batch-Name", b.Name)
	}
	return h
}

// SubmitIn is Submit of a form of batch b: a client submitting forms one
// by one makes one batch id for all of them and sends it with each.
func (c *Client) SubmitIn(ctx context.Context, b Batch, form []byte) (Submission, error) {
	var s Submission
	err := c.sendWith(ctx, http.MethodPost, "/v1/forms", form, "application/xml", b.header(), &s)
	return s, err
}

// Status returns the submission's state and history.
func (c *Client) Status(ctx context.Context, id string) (Status, error) {
	var s Status
	err := c.do(ctx, http.MethodGet, "/v1/forms/"+url.PathEscape(id), nil, &s)
	return s, err
}

// Wait polls the submission with backoff until its status is terminal,
// ctx ends, or an error that retrying cannot cure (not found, forbidden);
// temporary failures are polled through.
func (c *Client) Wait(ctx context.Context, id string) (Status, error) {
	delay := c.poll.Min
	for {
		s, err := c.Status(ctx, id)
		switch {
		case err == nil && s.Terminal:
			return s, nil
		case err != nil && !errors.Is(err, ErrUnavailable):
			return s, err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			if err == nil {
				err = ctx.Err()
			}
			return s, fmt.Errorf("salyq client: waiting for %s: %w", id, errors.Join(ctx.Err(), err))
		case <-t.C:
		}
		delay = c.poll.next(delay)
	}
}

func (b Backoff) next(d time.Duration) time.Duration {
	return min(time.Duration(float64(d)*b.Factor), b.Max)
}

func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	return c.send(ctx, method, path, body, "application/xml", out)
}

func (c *Client) send(ctx context.Context, method, path string, body []byte, contentType string, out any) error {
	return c.sendWith(ctx, method, path, body, contentType, nil, out)
}

// sendWith is send with extra request headers.
func (c *Client) sendWith(ctx context.Context, method, path string, body []byte, contentType string, hdr http.Header, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, rd)
	if err != nil {
		return fmt.Errorf("salyq client: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("salyq client: %s %s: %w", method, path, ctx.Err())
		}
		return fmt.Errorf("%w: %s %s: %w", ErrUnavailable, method, path, err)
	}
	defer resp.Body.Close()
	// Answers are small; a huge one is not salyq's.
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%w: %s %s: reading the answer: %w", ErrUnavailable, method, path, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("salyq client: %s %s: answer is not the expected JSON: %w", method, path, err)
		}
		return nil
	}
	ae := &APIError{StatusCode: resp.StatusCode}
	var e struct{ Error, Field, Reason string }
	if json.Unmarshal(data, &e) == nil && e.Error != "" {
		ae.Message, ae.Field, ae.Reason = e.Error, e.Field, e.Reason
	} else {
		ae.Message = strings.TrimSpace(string(data[:min(len(data), 200)]))
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
		ae.RetryAfter = time.Duration(s) * time.Second
	}
	return ae
}
