package ncakey

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Summary is a keystore's standing at a time, for the start-up log: an
// operator learns there, not from the first refused form, that a key has
// expired or is about to.
type Summary struct {
	At time.Time
	// Loaded counts the keys read from the directory.
	Loaded int
	// Usable counts the loaded keys that may sign at At (information-
	// system keys included); Taxpayers counts whose keys they are.
	Usable, Taxpayers int
	// Refused lists the files that did not load and the keys that cannot
	// sign at At, by file name.
	Refused []KeyNote
	// Expiring lists the usable keys whose certificate ends within the
	// window asked for, soonest first.
	Expiring []KeyNote
}

// KeyNote is one key (or file) of a Summary.
type KeyNote struct {
	File     string
	Taxpayer string // IIN or BIN; "" for a file that did not load
	Role     Role
	NotAfter time.Time
	// Reason says why in the operator's words, dates in Kazakhstan's
	// time: "expired on 2026-03-01", "expires on 2026-03-01 (12 days)".
	Reason string
	// Err is the refusal (nil for an expiring key): it wraps ErrExpired,
	// ErrNotYetValid, the check's error, or the load error.
	Err error
}

// Summarize reports what the keystore holds at time at. Keys valid at at
// that end within the window are Expiring. check, when not nil, judges
// each signing key that is valid at at (chain and revocation); a key it
// refuses is listed in Refused with its reason. AUTH-only keys are
// counted as loaded and are neither usable nor refused: NCA issues them
// beside the signing keys.
func (ks *Keystore) Summarize(ctx context.Context, at time.Time, within time.Duration, check CertCheck) Summary {
	s := Summary{At: at, Loaded: len(ks.entries)}
	for _, p := range ks.problems {
		s.Refused = append(s.Refused, KeyNote{File: p.File, Reason: "not loaded: " + p.Err.Error(), Err: p.Err})
	}
	taxpayers := map[string]bool{}
	for _, e := range ks.entries {
		id := e.Key.Identity()
		note := KeyNote{File: e.File, Taxpayer: id.TaxpayerID(), Role: id.Role, NotAfter: id.NotAfter}
		if !id.CanSign() {
			continue
		}
		err := id.CheckValidAt(at)
		switch {
		case errors.Is(err, ErrExpired):
			note.Reason = "expired on " + AstanaDate(id.NotAfter)
		case err != nil:
			note.Reason = "not valid until " + AstanaDate(id.NotBefore)
		case check != nil:
			if cerr := check(ctx, e.Key.Certificate(), at); cerr != nil {
				err = &RefusedError{Certificate: e.Key.Certificate(), Err: cerr}
				note.Reason = "refused: " + cerr.Error()
			}
		}
		if err != nil {
			note.Err = err
			s.Refused = append(s.Refused, note)
			continue
		}
		s.Usable++
		taxpayers[note.Taxpayer] = true
		if left := id.NotAfter.Sub(at); left <= within {
			note.Reason = fmt.Sprintf("expires on %s (%d days)", AstanaDate(id.NotAfter), int(left.Hours()/24))
			s.Expiring = append(s.Expiring, note)
		}
	}
	s.Taxpayers = len(taxpayers)
	slices.SortStableFunc(s.Refused, func(a, b KeyNote) int { return cmp.Compare(a.File, b.File) })
	slices.SortStableFunc(s.Expiring, func(a, b KeyNote) int {
		return cmp.Or(a.NotAfter.Compare(b.NotAfter), cmp.Compare(a.File, b.File))
	})
	return s
}
