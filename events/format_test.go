package events

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestFormatReferenceCoversTheCode: docs/FORMAT.md names every type, every
// envelope, source and data field, and every value of every vocabulary the
// decoder knows, so the reference cannot fall behind the code.
func TestFormatReferenceCoversTheCode(t *testing.T) {
	b, err := os.ReadFile("../docs/FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	want := map[string][]string{}
	for _, typ := range Types {
		want["type"] = append(want["type"], string(typ))
		want["data field"] = append(want["data field"], jsonFieldNames(reflect.TypeOf(newData(typ)).Elem())...)
	}
	want["envelope field"] = jsonFieldNames(reflect.TypeOf(wire{}))
	want["source field"] = jsonFieldNames(reflect.TypeOf(Source{}))
	for _, v := range precisions {
		want["precision"] = append(want["precision"], string(v))
	}
	for _, v := range attributions {
		want["attribution"] = append(want["attribution"], string(v))
	}
	for _, v := range seats {
		want["seat"] = append(want["seat"], string(v))
	}
	for _, v := range kinds {
		want["kind"] = append(want["kind"], string(v))
	}
	want["how"] = append(append(want["how"], seatLeftHows...), roleEndHows...)
	want["outcome"] = outcomes
	n := 0
	for what, words := range want {
		for _, w := range words {
			n++
			if !strings.Contains(doc, "`"+w+"`") && !strings.Contains(doc, "`"+w+"[]`") {
				t.Errorf("docs/FORMAT.md does not name the %s `%s`", what, w)
			}
		}
	}
	if n < 60 {
		t.Fatalf("checked only %d words", n)
	}
	for _, u := range Unexpressible {
		if !strings.Contains(doc, u.Rule) {
			t.Errorf("docs/FORMAT.md does not list the rule the schema cannot express: %s", u.Rule)
		}
	}
}

func jsonFieldNames(rt reflect.Type) []string {
	var out []string
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// TestFormatExamplesDecode: every example line of docs/FORMAT.md is a
// valid line of an import file, and every type has one.
func TestFormatExamplesDecode(t *testing.T) {
	b, err := os.ReadFile("../docs/FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[Type]bool{}
	for i, block := range strings.Split(string(b), "```json\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
			e, err := DecodeInput([]byte(line))
			if err != nil {
				t.Errorf("example block %d: %v\n%s", i+1, err, line)
			}
			seen[e.Type] = true
		}
	}
	for _, typ := range Types {
		if !seen[typ] {
			t.Errorf("docs/FORMAT.md has no example of %s", typ)
		}
	}
}
