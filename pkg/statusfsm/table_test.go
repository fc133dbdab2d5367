package statusfsm

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/salyq/salyq/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite testdata/transitions.golden")

// TestDefaultTableMatchesSpec compares the compiled-in table with the
// table in docs/STATUSES.md, row by row.
func TestDefaultTableMatchesSpec(t *testing.T) {
	data := testenv.ReadFile(t, "docs", "STATUSES.md")
	tb := DefaultTable()
	rows := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) != 7 {
			continue
		}
		num, err := strconv.Atoi(strings.TrimSpace(cells[1]))
		if err != nil {
			continue
		}
		rows++
		name := Status(strings.TrimSpace(cells[2]))
		in, ok := tb.Lookup(name)
		if !ok {
			t.Errorf("spec status %d %q not in table", num, name)
			continue
		}
		want := Info{
			Number: num, Name: name, Kind: KindSONO,
			Phase:    Phase(strings.TrimSpace(cells[3])),
			Terminal: strings.TrimSpace(cells[4]) == "yes",
			Outcome:  strings.TrimSpace(cells[5]),
		}
		if in != want {
			t.Errorf("status %d: table %+v, spec %+v", num, in, want)
		}
	}
	if rows != 25 {
		t.Fatalf("parsed %d spec rows, want 25", rows)
	}
	sono := 0
	for _, in := range tb.Statuses() {
		if in.Kind == KindSONO {
			sono++
		}
	}
	if sono != 25 {
		t.Errorf("table has %d SONO statuses, want 25", sono)
	}
	if _, ok := tb.Lookup("Принята, но не разобрана"); !ok {
		t.Error("«Принята, но не разобрана» must be kept verbatim")
	}
}

func TestUnknownStatus(t *testing.T) {
	tb := DefaultTable()
	s := Status("Статус из будущего")
	in := tb.Info(s)
	if !in.Unknown || in.Terminal || in.Name != s || in.Kind != KindUnknown {
		t.Fatalf("Info(unknown) = %+v", in)
	}
	if tb.Terminal(s) {
		t.Fatal("unknown status must not be terminal")
	}
	if got := tb.Classify("Принята", s); got != Unknown {
		t.Fatalf("Classify(Принята, unknown) = %v", got)
	}
}

// goldenStates is every state of the default table plus one unknown.
func goldenStates(tb *Table) []Status {
	var out []Status
	for _, in := range tb.Statuses() {
		out = append(out, in.Name)
	}
	return append(out, "Статус из будущего")
}

func pad(s string, w int) string {
	if n := utf8.RuneCountInString(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// TestTransitionsGolden classifies every pair of states and compares the
// result with testdata/transitions.golden; run with -update to rewrite it.
func TestTransitionsGolden(t *testing.T) {
	tb := DefaultTable()
	states := goldenStates(tb)
	var b strings.Builder
	fmt.Fprintf(&b, "# every (from, to) pair of the default table plus one unknown status: %d×%d\n", len(states), len(states))
	fmt.Fprintf(&b, "# %s %s %s %s\n", pad("from", 32), pad("to", 32), pad("move", 10), "rule")
	counts := map[Move]int{}
	for _, from := range states {
		for _, to := range states {
			m, why := tb.Explain(from, to)
			counts[m]++
			fmt.Fprintf(&b, "%s %s %s %s\n", pad(string(from), 34), pad(string(to), 32), pad(m.String(), 10), why)
		}
	}
	fmt.Fprintf(&b, "# totals: expected %d, unexpected %d, unknown %d, forbidden %d\n",
		counts[Expected], counts[Unexpected], counts[Unknown], counts[Forbidden])
	golden := filepath.Join("testdata", "transitions.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("golden mismatch at line %d:\n got: %s\nwant: %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("golden mismatch: %d lines, want %d", len(gl), len(wl))
	}
	if n := len(states) * len(states); counts[Expected]+counts[Unexpected]+counts[Unknown]+counts[Forbidden] != n {
		t.Fatalf("classified %v, want %d pairs", counts, n)
	}
}

// TestClassifyPolicy pins the policy decisions the golden file encodes,
// so a careless -update cannot silently change them.
func TestClassifyPolicy(t *testing.T) {
	tb := DefaultTable()
	tests := []struct {
		from, to Status
		want     Move
	}{
		{StateQueued, StateSending, Expected},
		{StateSending, StateSent, Expected},
		{StateSent, "Отправлена", Expected},
		{StateSent, "Разнесена", Expected},
		{"Отправлена", "Доставлена", Expected},
		{"Доставлена", "Принята, но не разобрана", Expected},
		{"Заверена", "Принята", Expected},
		{"Принята", "Ожидает разноски", Expected},
		{"Ожидает разноски", "Разнесена", Expected},
		{"Отправлена", "Не принята", Expected},
		{"Отправлена", "Отозвана", Expected},
		{"Обрабатывается в ЦУЛС", "Обработана", Expected},
		{"Принята", "Доставлена", Unexpected},         // backwards
		{"Ожидает разноски", "Отклонена", Unexpected}, // terminal of an earlier phase
		{"Отправлена", "Принята", Unexpected},         // skips intake
		{"Отправлена", "Ожидает разноски", Unexpected},
		{StateQueued, "Отправлена", Unexpected}, // before sent
		{"Принята", StateQueued, Unexpected},
		{StateSent, StateFailedDelivery, Unexpected},
		{"Принята", "Статус из будущего", Unknown},
		{StateFailedDelivery, StateSending, Forbidden},
		{StateFailedDelivery, "Принята", Forbidden},
		{"Обработана", "Сторнирована", Forbidden},
		{"Разнесена", "Статус из будущего", Forbidden},
		{StateFailedDelivery, StateQueued, Expected}, // operator replay
		{"Обработана", "Обработана", Expected},
		{"Статус из будущего", "Разнесена", Expected},
		{"Статус из будущего", StateSent, Unexpected},
	}
	for _, tt := range tests {
		if got := tb.Classify(tt.from, tt.to); got != tt.want {
			t.Errorf("Classify(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestLoadTableOverride(t *testing.T) {
	var f tableFile
	if err := json.Unmarshal(DefaultTableJSON(), &f); err != nil {
		t.Fatal(err)
	}
	// An operator decides Принята is final after all.
	for i := range f.Statuses {
		if f.Statuses[i].Name == "Принята" {
			f.Statuses[i].Terminal = true
			f.Statuses[i].Outcome = "accepted"
		}
	}
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := LoadTable(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !tb.Terminal("Принята") {
		t.Fatal("override of terminal flag not applied")
	}
	if got := tb.Classify("Принята", "Ожидает разноски"); got != Forbidden {
		t.Fatalf("after override Classify(Принята, Ожидает разноски) = %v, want forbidden", got)
	}
	if DefaultTable().Terminal("Принята") {
		t.Fatal("default table changed by an override")
	}
}

func TestLoadTableErrors(t *testing.T) {
	base := string(DefaultTableJSON())
	tests := []struct {
		name string
		in   string
	}{
		{"not json", "{"},
		{"unknown field", strings.Replace(base, `"version": 1`, `"version": 1, "extra": 2`, 1)},
		{"bad version", strings.Replace(base, `"version": 1`, `"version": 2`, 1)},
		{"bad phase", strings.Replace(base, `"phase": "transport", "terminal": false, "outcome": ""},`+"\n    {\"number\": 2", `"phase": "teleport", "terminal": false, "outcome": ""},`+"\n    {\"number\": 2", 1)},
		{"duplicate status", strings.Replace(base, `"Доставлена"`, `"Отправлена"`, 1)},
		{"missing product state", strings.Replace(base, `{"name": "sending", `, `{"name": "sending2", `, 1)},
		{"dead letter not terminal", strings.Replace(base, `"kind": "product", "phase": "delivery", "terminal": true`, `"kind": "product", "phase": "delivery", "terminal": false`, 1)},
		{"bad move", strings.Replace(base, `"move": "forbidden"`, `"move": "maybe"`, 1)},
		{"bad selector", strings.Replace(base, `"from": "terminal"`, `"from": "Отправлено"`, 1)},
		{"bad kind", strings.Replace(base, `"kind": "sono", "phase": "intake"`, `"kind": "fno", "phase": "intake"`, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in == base {
				t.Fatal("test mutation did not apply")
			}
			_, err := LoadTable(strings.NewReader(tt.in))
			if !errors.Is(err, ErrTable) {
				t.Fatalf("err = %v, want ErrTable", err)
			}
		})
	}
}

func TestNextPoll(t *testing.T) {
	b := Backoff{Min: time.Second, Max: time.Minute, Factor: 2}
	tests := []struct {
		step int
		want time.Duration
	}{
		{-1, time.Second}, {0, time.Second}, {1, 2 * time.Second}, {5, 32 * time.Second},
		{6, time.Minute}, {1000, time.Minute}, {1 << 30, time.Minute},
	}
	for _, tt := range tests {
		if got := b.NextPoll(tt.step); got != tt.want {
			t.Errorf("NextPoll(%d) = %v, want %v", tt.step, got, tt.want)
		}
	}
	if got := (Backoff{}).NextPoll(0); got != DefaultPollMin {
		t.Errorf("zero Backoff NextPoll(0) = %v", got)
	}
	// Jitter spreads within ±Jitter and never above Max.
	for _, r := range []float64{0, 0.25, 0.5, 0.999} {
		j := Backoff{Min: time.Second, Max: time.Minute, Factor: 2, Jitter: 0.5, Rand: func() float64 { return r }}
		d := j.NextPoll(2) // base 4s
		lo, hi := 2*time.Second, 6*time.Second
		if d < lo || d > hi {
			t.Errorf("jitter r=%v: %v outside [%v,%v]", r, d, lo, hi)
		}
		if d := j.NextPoll(100); d > time.Minute {
			t.Errorf("jitter r=%v: %v above Max", r, d)
		}
	}
	j := Backoff{Min: time.Second, Max: time.Minute, Jitter: 0.5, Rand: func() float64 { return 0 }}
	if got := j.NextPoll(0); got != 500*time.Millisecond {
		t.Errorf("jitter r=0 NextPoll(0) = %v, want 500ms", got)
	}
}
