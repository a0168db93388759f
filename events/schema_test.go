package events_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"storyline/corpus"
	"storyline/events"
)

func compiledSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	b, err := json.Marshal(events.Schema())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(events.SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(events.SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(s *jsonschema.Schema, line []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(line))
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// TestSchemaFileIsCurrent: docs/event.schema.json is what `story schema`
// prints.
func TestSchemaFileIsCurrent(t *testing.T) {
	b, err := os.ReadFile("../docs/event.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.MarshalIndent(events.Schema(), "", "  ")
	if !bytes.Equal(bytes.TrimSpace(b), want) {
		t.Fatal("docs/event.schema.json is out of date: go run ./cmd/story schema > docs/event.schema.json")
	}
}

// TestSchemaAcceptsValidLines: every line the decoder accepts — the
// bundled story, the test stories, the samples of every type — passes.
func TestSchemaAcceptsValidLines(t *testing.T) {
	s := compiledSchema(t)
	var lines [][]byte
	lines = append(lines, bytes.Split(bytes.TrimSpace(corpus.Bytes()), []byte("\n"))...)
	for _, f := range []string{"../projections/testdata/halvorsen.jsonl", "../projections/testdata/claims-story.jsonl", "../cmd/story/testdata/other-story.jsonl"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, bytes.Split(bytes.TrimSpace(b), []byte("\n"))...)
	}
	for _, sm := range samples {
		lines = append(lines, []byte(sm.line))
	}
	n := 0
	for _, l := range lines {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		if _, err := events.Decode(l); err != nil {
			t.Fatalf("the decoder refuses a test line: %v", err)
		}
		n++
		if err := validate(s, l); err != nil {
			t.Errorf("the schema refuses a valid line: %v\n%s", err, l)
		}
	}
	if n < 400 {
		t.Fatalf("only %d lines checked", n)
	}
}

// TestSchemaRefusesBadLines: every line the decoder refuses is refused by
// the schema too, unless all it breaks is a rule listed as one a schema
// cannot express.
func TestSchemaRefusesBadLines(t *testing.T) {
	s := compiledSchema(t)
	cases := decodeErrorCases(t)
	for _, sm := range samples {
		for _, key := range sm.required {
			cases = append(cases, decodeErrorCase{name: sm.name + " without " + key, in: mutate(t, sm.line, del("data."+key)), want: []want{{"data." + key, events.ErrMissing}}})
		}
	}
	refused := 0
	for _, tc := range cases {
		if err := validate(s, tc.in); err != nil {
			refused++
			continue
		}
		for _, w := range tc.want {
			if !unexpressible(w.err) {
				t.Errorf("%s: the schema accepts a line the decoder refuses (%s: %v)", tc.name, w.field, w.err)
			}
		}
	}
	if refused < len(cases)/2 {
		t.Errorf("the schema refused only %d of %d bad lines", refused, len(cases))
	}
}

func unexpressible(err error) bool {
	for _, u := range events.Unexpressible {
		if errors.Is(err, u.Err) {
			return true
		}
	}
	return false
}

// TestSchemaRequiredMatchesDecoder: the schema requires every field the
// decoder refuses to miss (the samples' lists), and nothing the decoder
// accepts missing.
func TestSchemaRequiredMatchesDecoder(t *testing.T) {
	all := events.Schema()["allOf"].([]map[string]any)
	for i, sm := range samples {
		data := all[i]["then"].(map[string]any)["properties"].(map[string]any)["data"].(map[string]any)
		req := data["required"].([]string)
		if then, ok := data["then"].(map[string]any); ok {
			if more, ok := then["required"].([]string); ok {
				req = append(req, more...)
			}
		}
		for _, f := range sm.required {
			if !slices.Contains(req, f) {
				t.Errorf("%s: the decoder requires %s, the schema does not", sm.name, f)
			}
		}
		for _, f := range req {
			if _, err := events.Decode(mutate(t, sm.line, del("data."+f))); err == nil {
				t.Errorf("%s: the schema requires %s, the decoder accepts it missing", sm.name, f)
			}
		}
	}
}
