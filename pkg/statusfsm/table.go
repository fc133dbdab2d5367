package statusfsm

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
)

//go:embed table.json
var defaultTableJSON []byte

// maxTableBytes bounds what LoadTable reads; the real table is a few KiB.
const maxTableBytes = 1 << 20

// Table is the closed set of statuses with their phases, and the rules that
// classify moves between them. A Table is immutable once loaded and safe for
// concurrent use.
type Table struct {
	statuses []Info
	byName   map[Status]int
	phases   map[Phase]PhaseInfo
	rules    []Rule
}

// PhaseInfo is one row of the phase list.
type PhaseInfo struct {
	// Name is the phase name.
	Name Phase `json:"name"`
	// Rank orders phases; moves to a lower rank are backwards.
	Rank int `json:"rank"`
	// About is a free-text note for operators.
	About string `json:"about,omitempty"`
}

// tableFile is the JSON layout of a table.
type tableFile struct {
	Version  int         `json:"version"`
	Phases   []PhaseInfo `json:"phases"`
	Statuses []Info      `json:"statuses"`
	Rules    []Rule      `json:"rules"`
}

// DefaultTableJSON returns a copy of the compiled-in table, the starting
// point for an operator who wants to correct it and load it with LoadTable.
func DefaultTableJSON() []byte {
	return bytes.Clone(defaultTableJSON)
}

// DefaultTable returns the compiled-in table (docs/STATUSES.md). It panics only if
// the compiled-in JSON is invalid, which the package tests rule out.
func DefaultTable() *Table {
	t, err := LoadTable(bytes.NewReader(defaultTableJSON))
	if err != nil {
		panic("statusfsm: compiled-in table: " + err.Error())
	}
	return t
}

// LoadTable reads a complete table in the layout of DefaultTableJSON and
// validates it: names unique, phases and kinds known, the four product
// states present, rules well-formed.
func LoadTable(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxTableBytes+1))
	if err != nil {
		return nil, fmt.Errorf("statusfsm: read table: %w", err)
	}
	if len(data) > maxTableBytes {
		return nil, &TableError{Reason: "table larger than 1 MiB"}
	}
	var f tableFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, &TableError{Reason: "decode", Err: err}
	}
	if f.Version != 1 {
		return nil, &TableError{Reason: fmt.Sprintf("table version %d, want 1", f.Version)}
	}
	t := &Table{
		byName: make(map[Status]int, len(f.Statuses)),
		phases: make(map[Phase]PhaseInfo, len(f.Phases)),
	}
	for _, p := range f.Phases {
		if p.Name == "" {
			return nil, &TableError{Reason: "phase without a name"}
		}
		if _, dup := t.phases[p.Name]; dup {
			return nil, &TableError{Field: string(p.Name), Reason: "duplicate phase"}
		}
		t.phases[p.Name] = p
	}
	for _, s := range f.Statuses {
		if s.Name == "" {
			return nil, &TableError{Reason: "status without a name"}
		}
		if _, dup := t.byName[s.Name]; dup {
			return nil, &TableError{Field: string(s.Name), Reason: "duplicate status"}
		}
		if s.Kind != KindProduct && s.Kind != KindSONO {
			return nil, &TableError{Field: string(s.Name), Reason: fmt.Sprintf("kind %q, want product or sono", s.Kind)}
		}
		if _, ok := t.phases[s.Phase]; !ok {
			return nil, &TableError{Field: string(s.Name), Reason: fmt.Sprintf("unknown phase %q", s.Phase)}
		}
		if isSelectorWord(string(s.Name)) {
			return nil, &TableError{Field: string(s.Name), Reason: "status name collides with a rule selector"}
		}
		t.byName[s.Name] = len(t.statuses)
		t.statuses = append(t.statuses, s)
	}
	for _, name := range []Status{StateQueued, StateSending, StateSent, StateFailedDelivery} {
		i, ok := t.byName[name]
		if !ok {
			return nil, &TableError{Field: string(name), Reason: "product state missing"}
		}
		if t.statuses[i].Kind != KindProduct {
			return nil, &TableError{Field: string(name), Reason: "must be of kind product"}
		}
	}
	if _, ok := t.phases[PhaseRejected]; !ok {
		return nil, &TableError{Field: string(PhaseRejected), Reason: "phase missing"}
	}
	if !t.statuses[t.byName[StateFailedDelivery]].Terminal {
		return nil, &TableError{Field: string(StateFailedDelivery), Reason: "must be terminal"}
	}
	for i, r := range f.Rules {
		if err := t.checkRule(r); err != nil {
			return nil, &TableError{Field: fmt.Sprintf("rules[%d]", i), Reason: err.Error()}
		}
	}
	t.rules = f.Rules
	return t, nil
}

// Lookup returns the row for s, and false if s is not in the table.
func (t *Table) Lookup(s Status) (Info, bool) {
	i, ok := t.byName[s]
	if !ok {
		return Info{}, false
	}
	return t.statuses[i], true
}

// Info returns the row for s; a status not in the table gets a synthetic
// row: kind unknown, not terminal, Unknown set, name kept verbatim.
func (t *Table) Info(s Status) Info {
	if in, ok := t.Lookup(s); ok {
		return in
	}
	return Info{Name: s, Kind: KindUnknown, Phase: "unknown", Unknown: true}
}

// Terminal reports whether s ends a form's life. Unknown statuses are not
// terminal, so forms that reach them keep being polled.
func (t *Table) Terminal(s Status) bool {
	in, ok := t.Lookup(s)
	return ok && in.Terminal
}

// Known reports whether s is in the table.
func (t *Table) Known(s Status) bool {
	_, ok := t.byName[s]
	return ok
}

// Statuses returns the rows in table order.
func (t *Table) Statuses() []Info {
	out := make([]Info, len(t.statuses))
	copy(out, t.statuses)
	return out
}

// Rank returns the rank of the phase of s, and false for an unknown status.
func (t *Table) Rank(s Status) (int, bool) {
	in, ok := t.Lookup(s)
	if !ok {
		return 0, false
	}
	return t.phases[in.Phase].Rank, true
}
