package test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/salyq/salyq/internal/intake"
	"github.com/salyq/salyq/pkg/client"
)

// TestClientTypesMatchOpenAPI: pkg/client's JSON types, which copy the
// server's so that the client needs only the standard library, have
// exactly the properties of their schemas in the served openapi.json; a
// field added on one side only fails here.
func TestClientTypesMatchOpenAPI(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(intake.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	for schema, v := range map[string]any{
		// client.BatchAnswer is no JSON type: it is built from the
		// answer's elements, a Submission and the error's fields.
		"Submission": client.Submission{}, "Status": client.Status{},
		"Event": client.Event{}, "Step": client.Step{}, "Receipt": client.Receipt{},
		"Delay": client.Delay{}, "Notice": client.Notice{},
	} {
		ref := doc.Components.Schemas[schema]
		if ref == nil || ref.Value == nil {
			t.Errorf("openapi.json has no schema %s", schema)
			continue
		}
		var want []string
		for name := range ref.Value.Properties {
			want = append(want, name)
		}
		slices.Sort(want)
		if got := jsonFields(reflect.TypeOf(v)); !slices.Equal(got, want) {
			t.Errorf("client.%s has JSON fields %v, schema %s has %v", reflect.TypeOf(v).Name(), got, schema, want)
		}
	}
}

// jsonFields lists the JSON names of a struct's exported fields, sorted.
func jsonFields(typ reflect.Type) []string {
	var out []string
	for f := range typ.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}
