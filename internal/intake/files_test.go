package intake_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/pkg/envelope"
)

func TestSubmitPaths(t *testing.T) {
	r := newRig(t)
	dir := t.TempDir()
	g := good(t)
	form := func(kind envelope.Kind, income int) []byte {
		s := g
		s.kind, s.income = kind, income
		return s.build()
	}
	bad := g
	bad.version = "26"
	files := map[string][]byte{
		"a/one.xml":       form(envelope.KindRegular, 1),
		"a/b/two.XML":     form(envelope.KindAdditional, 2),
		"a/b/c/three.xml": form(envelope.KindAdditional, 3),
		"a/b/bad.xml":     bad.build(),
		"a/b/broken.xml":  []byte("<fno"),
		"a/notes.txt":     []byte("not a form, and not *.xml: skipped"),
		"single.form":     form(envelope.KindAdditional, 4), // named directly: taken whatever its extension
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stdin := strings.NewReader(string(form(envelope.KindAdditional, 5)))
	got := map[string]intake.FileResult{}
	paths := []string{filepath.Join(dir, "a"), filepath.Join(dir, "single.form"), "-", filepath.Join(dir, "missing.xml")}
	err := r.in.SubmitPaths(ctx, paths, stdin, func(fr intake.FileResult) {
		rel := fr.Path
		if fr.Path != "-" {
			rel, _ = filepath.Rel(dir, fr.Path)
		}
		if _, dup := got[rel]; dup {
			t.Errorf("%s reported twice", rel)
		}
		got[rel] = fr
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]error{
		"a/one.xml":       nil,
		"a/b/two.XML":     nil,
		"a/b/c/three.xml": nil,
		"single.form":     nil,
		"-":               nil,
		"a/b/bad.xml":     envelope.ErrUnknownTemplate,
		"a/b/broken.xml":  envelope.ErrMalformedXML,
		"missing.xml":     os.ErrNotExist,
	}
	for name, wantErr := range want {
		fr, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: not reported", name)
		case wantErr == nil && (fr.Err != nil || fr.Result.ID == ""):
			t.Errorf("%s: %+v, %v", name, fr.Result, fr.Err)
		case wantErr != nil && !errors.Is(fr.Err, wantErr):
			t.Errorf("%s: err %v, want %v", name, fr.Err, wantErr)
		}
	}
	if len(got) != len(want) {
		t.Errorf("reported %d paths, want %d: %v", len(got), len(want), got)
	}
	if n := r.queued(t); n != 5 {
		t.Errorf("%d queued, want 5", n)
	}
}
