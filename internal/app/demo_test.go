package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/app"
	"github.com/salyq/salyq/internal/app/sandbox"
)

// TestDemo runs `salyq demo` small, as cmd/salyq wires it: everything
// embedded, the in-process sandbox included, to a summary.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole pipeline")
	}
	var out, errs bytes.Buffer
	cli := app.CLI{Sandbox: sandbox.Open}
	err := cli.Main(context.Background(), []string{"demo", "--forms", "12", "--sandbox-step", "50ms"}, app.IO{Out: &out, Err: &errs})
	if err != nil {
		t.Fatalf("demo: %v\n%s\n%s", err, out.String(), errs.String())
	}
	for _, want := range []string{"OUTCOME", "DEAD LETTERS", "FORMS/S", "12 filings accepted, 0 filed twice"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}
