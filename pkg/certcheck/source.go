package certcheck

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// Source fetches the DER bytes of a CRL. Production NCA CRLs are only
// reachable over the network, tests and air-gapped setups use files.
type Source interface {
	Fetch(ctx context.Context) ([]byte, error)
	// String names the source in reports and errors; it is also the
	// cache key, so two sources with the same name share a cache entry.
	String() string
}

// DefaultMaxCRLSize bounds a downloaded or read CRL. NCA's production
// CRLs are a few megabytes; anything far larger is not one.
const DefaultMaxCRLSize = 64 << 20

// DefaultFetchTimeout bounds one HTTP fetch of a CRL or OCSP response.
const DefaultFetchTimeout = 15 * time.Second

// FileSource reads a CRL from a file.
type FileSource string

// Fetch reads the file, refusing one above DefaultMaxCRLSize.
func (f FileSource) Fetch(ctx context.Context) ([]byte, error) {
	fh, err := os.Open(string(f))
	if err != nil {
		return nil, fmt.Errorf("certcheck: %w", err)
	}
	defer fh.Close()
	return readLimited(fh, DefaultMaxCRLSize, string(f))
}

// String names the source as "file:PATH".
func (f FileSource) String() string { return "file:" + string(f) }

// URLSource downloads a CRL with HTTP GET.
type URLSource struct {
	URL string
	// Client is used for the request; nil means http.DefaultClient.
	Client *http.Client
	// Timeout bounds the whole fetch; zero means DefaultFetchTimeout.
	Timeout time.Duration
	// MaxSize bounds the body; zero means DefaultMaxCRLSize.
	MaxSize int64
}

// Fetch downloads the CRL.
func (u URLSource) Fetch(ctx context.Context) ([]byte, error) {
	timeout := u.Timeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("certcheck: %w", err)
	}
	client := u.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("certcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("certcheck: GET %s: %s", u.URL, resp.Status)
	}
	limit := u.MaxSize
	if limit <= 0 {
		limit = DefaultMaxCRLSize
	}
	return readLimited(resp.Body, limit, u.URL)
}

// String is the URL.
func (u URLSource) String() string { return u.URL }

func readLimited(r io.Reader, limit int64, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("certcheck: %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("certcheck: %s: larger than %d bytes", name, limit)
	}
	return data, nil
}

// ParseSource reads a source from configuration: "off" or "" (no
// source, returns nil), "http://…" or "https://…" (URLSource with
// client), "file:PATH" or a plain path (FileSource).
func ParseSource(spec string, client *http.Client) (Source, error) {
	switch {
	case spec == "" || spec == "off":
		return nil, nil
	case strings.HasPrefix(spec, "http://"), strings.HasPrefix(spec, "https://"):
		return URLSource{URL: spec, Client: client}, nil
	case strings.HasPrefix(spec, "file:"):
		return FileSource(strings.TrimPrefix(spec, "file:")), nil
	case strings.Contains(spec, "://"):
		return nil, fmt.Errorf("certcheck: CRL source %q: %w scheme", spec, ErrUnsupported)
	}
	return FileSource(spec), nil
}
