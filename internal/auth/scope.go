package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// ScopeAll is the scope of a token that may act for every taxpayer.
const ScopeAll = "all"

// ParseScope reads a --taxpayers value: "all" or comma-separated 12-digit
// IIN/BIN. It returns the sorted list, or nil for "all".
func ParseScope(s string) (all bool, ids []string, err error) {
	s = strings.TrimSpace(s)
	if s == ScopeAll {
		return true, nil, nil
	}
	for _, id := range strings.Split(s, ",") {
		id = strings.TrimSpace(id)
		if !isTaxpayerID(id) {
			return false, nil, fmt.Errorf("%w: %q: want all or 12-digit IIN/BIN separated by commas", ErrBadScope, id)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return false, slices.Compact(ids), nil
}

func isTaxpayerID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Principal is an authenticated client: a token's name and scope.
type Principal struct {
	Name      string
	All       bool
	Taxpayers []string // sorted; empty when All
}

// Allows reports whether p may submit and read forms of taxpayer.
func (p Principal) Allows(taxpayer string) bool {
	if p.All {
		return true
	}
	_, ok := slices.BinarySearch(p.Taxpayers, taxpayer)
	return ok
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal of ctx, if a request was
// authenticated.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// CheckScope refuses taxpayer when ctx carries a principal outside whose
// scope it is. Without a principal (the command line, or an API serving
// loopback without a tokens file) nothing is refused: the middleware is
// the gate.
func CheckScope(ctx context.Context, taxpayer string) error {
	p, ok := PrincipalFrom(ctx)
	if !ok || p.Allows(taxpayer) {
		return nil
	}
	return &ScopeError{Name: p.Name, Taxpayer: taxpayer}
}
