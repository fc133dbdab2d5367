package certcheck

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// maxCertFile bounds a certificate file read into memory: a bundle of
// CA certificates is a few tens of kilobytes.
const maxCertFile = 4 << 20

// LoadCertificates reads certificates from a file or, for a directory,
// from every regular file in it (sorted by name, not recursive). Each
// file may be DER (NCA publishes .cer files in DER) or PEM with one or
// more CERTIFICATE blocks. A file that is neither is an error, so that a
// misconfigured trust directory is noticed rather than silently trusted
// less.
func LoadCertificates(path string) ([]*x509.Certificate, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("certcheck: %w", err)
	}
	files := []string{path}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("certcheck: %w", err)
		}
		files = files[:0]
		for _, e := range entries {
			if e.Type().IsRegular() {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		sort.Strings(files)
	}
	var out []*x509.Certificate
	for _, f := range files {
		certs, err := loadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, certs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("certcheck: %s: %w", path, ErrNoCertificates)
	}
	return out, nil
}

func loadFile(path string) ([]*x509.Certificate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("certcheck: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCertFile+1))
	if err != nil {
		return nil, fmt.Errorf("certcheck: %w", err)
	}
	if len(data) > maxCertFile {
		return nil, fmt.Errorf("certcheck: %s: larger than %d bytes", path, maxCertFile)
	}
	certs, err := ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("certcheck: %s: %w", path, err)
	}
	return certs, nil
}

// ParseCertificates reads DER or PEM certificates from data.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	if bytes.Contains(data, []byte("-----BEGIN")) {
		var out []*x509.Certificate
		rest := data
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		if len(out) == 0 {
			return nil, ErrNoCertificates
		}
		return out, nil
	}
	return x509.ParseCertificates(data)
}

// Pool is a set of certificates indexed for path building. It is
// immutable once handed to a Checker.
type Pool struct {
	certs     []*x509.Certificate
	bySubject map[string][]*x509.Certificate
	raw       map[string]bool
}

// NewPool makes a pool of certs (duplicates are dropped).
func NewPool(certs ...*x509.Certificate) *Pool {
	p := &Pool{bySubject: map[string][]*x509.Certificate{}, raw: map[string]bool{}}
	for _, c := range certs {
		p.add(c)
	}
	return p
}

func (p *Pool) add(c *x509.Certificate) {
	if c == nil || p.raw[string(c.Raw)] {
		return
	}
	p.raw[string(c.Raw)] = true
	p.certs = append(p.certs, c)
	p.bySubject[string(c.RawSubject)] = append(p.bySubject[string(c.RawSubject)], c)
}

// Len is the number of certificates in the pool.
func (p *Pool) Len() int {
	if p == nil {
		return 0
	}
	return len(p.certs)
}

// Certificates returns the pool's certificates.
func (p *Pool) Certificates() []*x509.Certificate {
	if p == nil {
		return nil
	}
	return append([]*x509.Certificate(nil), p.certs...)
}

func (p *Pool) contains(c *x509.Certificate) bool {
	return p != nil && p.raw[string(c.Raw)]
}

// issuersOf returns the candidates that may have issued c: same subject
// as c's issuer and, when both carry key identifiers, the same key.
func (p *Pool) issuersOf(c *x509.Certificate) []*x509.Certificate {
	if p == nil {
		return nil
	}
	var out []*x509.Certificate
	for _, cand := range p.bySubject[string(c.RawIssuer)] {
		if len(c.AuthorityKeyId) > 0 && len(cand.SubjectKeyId) > 0 && !bytes.Equal(c.AuthorityKeyId, cand.SubjectKeyId) {
			continue
		}
		out = append(out, cand)
	}
	return out
}
