package statusfsm

import (
	"fmt"
	"strings"
)

// Move is the classification of a move between two statuses. Every move is
// applied and recorded whatever its class (SONO is authoritative); the class
// only decides whether the move is flagged.
type Move uint8

// Classes of move.
const (
	// Expected moves are the normal life of a form.
	Expected Move = iota
	// Unexpected moves go backwards (to a lower phase rank, or from a SONO
	// status back to a delivery state) or skip a phase (to a non-terminal
	// SONO status two or more ranks ahead, or to a SONO status before sent).
	Unexpected
	// Unknown moves lead to a status that is not in the table.
	Unknown
	// Forbidden moves leave a terminal state (other than to itself and the
	// operator replay of a dead letter).
	Forbidden
)

var moveNames = [...]string{"expected", "unexpected", "unknown", "forbidden"}

// String returns the lower-case name used in the table and golden file.
func (m Move) String() string {
	if int(m) < len(moveNames) {
		return moveNames[m]
	}
	return fmt.Sprintf("move(%d)", uint8(m))
}

// Flagged reports whether the move must be shown to an operator.
func (m Move) Flagged() bool { return m != Expected }

// MarshalText encodes the move by name.
func (m Move) MarshalText() ([]byte, error) {
	if int(m) >= len(moveNames) {
		return nil, fmt.Errorf("statusfsm: invalid move %d", uint8(m))
	}
	return []byte(moveNames[m]), nil
}

// UnmarshalText decodes a move name.
func (m *Move) UnmarshalText(b []byte) error {
	for i, n := range moveNames {
		if string(b) == n {
			*m = Move(i)
			return nil
		}
	}
	return fmt.Errorf("statusfsm: unknown move %q", b)
}

// Rule is one row of the transition table. Rules are tried in order and the
// first that matches classifies the move.
//
// From and To are selectors: a status name; "*" (anything, unknown
// included); "unknown" (not in the table); "product" or "sono" (known, of
// that kind); "terminal" or "open" (known, terminal or not);
// "sono/terminal" or "sono/open"; "phase:NAME". To may also be "=", the
// same status as From. MinRankDelta and MaxRankDelta, when set, bound
// rank(phase of To) - rank(phase of From) and only match known statuses.
type Rule struct {
	From         string `json:"from"`
	To           string `json:"to"`
	MinRankDelta *int   `json:"min_rank_delta,omitempty"`
	MaxRankDelta *int   `json:"max_rank_delta,omitempty"`
	Move         Move   `json:"move"`
	Why          string `json:"why"`
}

// noRuleWhy explains the class given when no rule matches.
const noRuleWhy = "no rule matches"

// Classify returns the class of the move from → to.
func (t *Table) Classify(from, to Status) Move {
	m, _ := t.Explain(from, to)
	return m
}

// Explain returns the class of the move from → to and the reason given by
// the rule that decided it. A move no rule matches is Unexpected.
func (t *Table) Explain(from, to Status) (Move, string) {
	for _, r := range t.rules {
		if t.ruleMatches(r, from, to) {
			return r.Move, r.Why
		}
	}
	return Unexpected, noRuleWhy
}

// Rules returns a copy of the transition rules in order.
func (t *Table) Rules() []Rule {
	out := make([]Rule, len(t.rules))
	copy(out, t.rules)
	return out
}

func (t *Table) ruleMatches(r Rule, from, to Status) bool {
	if !t.selects(r.From, from) {
		return false
	}
	if r.To == "=" {
		if from != to {
			return false
		}
	} else if !t.selects(r.To, to) {
		return false
	}
	if r.MinRankDelta == nil && r.MaxRankDelta == nil {
		return true
	}
	rf, okf := t.Rank(from)
	rt, okt := t.Rank(to)
	if !okf || !okt {
		return false
	}
	d := rt - rf
	if r.MinRankDelta != nil && d < *r.MinRankDelta {
		return false
	}
	if r.MaxRankDelta != nil && d > *r.MaxRankDelta {
		return false
	}
	return true
}

// selects reports whether selector sel matches s.
func (t *Table) selects(sel string, s Status) bool {
	in, known := t.Lookup(s)
	switch sel {
	case "*":
		return true
	case "unknown":
		return !known
	case "product":
		return known && in.Kind == KindProduct
	case "sono":
		return known && in.Kind == KindSONO
	case "terminal":
		return known && in.Terminal
	case "open":
		return known && !in.Terminal
	case "sono/terminal":
		return known && in.Kind == KindSONO && in.Terminal
	case "sono/open":
		return known && in.Kind == KindSONO && !in.Terminal
	}
	if p, ok := strings.CutPrefix(sel, "phase:"); ok {
		return known && in.Phase == Phase(p)
	}
	return known && Status(sel) == s
}

// isSelectorWord reports whether name is reserved as a selector.
func isSelectorWord(name string) bool {
	switch name {
	case "*", "=", "unknown", "product", "sono", "terminal", "open", "sono/terminal", "sono/open":
		return true
	}
	return strings.HasPrefix(name, "phase:")
}

// checkRule validates selectors against the loaded statuses and phases.
func (t *Table) checkRule(r Rule) error {
	if r.Move > Forbidden {
		return fmt.Errorf("invalid move")
	}
	if r.From == "=" {
		return fmt.Errorf(`"=" is only valid in to`)
	}
	for _, sel := range []string{r.From, r.To} {
		if sel == "" {
			return fmt.Errorf("empty selector")
		}
		if p, ok := strings.CutPrefix(sel, "phase:"); ok {
			if _, ok := t.phases[Phase(p)]; !ok {
				return fmt.Errorf("selector %q: no such phase", sel)
			}
			continue
		}
		if !isSelectorWord(sel) && !t.Known(Status(sel)) {
			return fmt.Errorf("selector %q: no such status", sel)
		}
	}
	return nil
}
