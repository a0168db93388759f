package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"storyline/corpus"
)

// previousBundled writes the bundled story as it was before errata came
// to it: the lines before the first outlet description, erratum or
// withdrawal. The file only ever grows, so that prefix is the old story.
func previousBundled(t *testing.T) (path string, lines int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "corpus", corpus.Files()[0]))
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if strings.Contains(l, `"kind": "outlet"`) || strings.Contains(l, `"erratum"`) || strings.Contains(l, `"record.withdrawn"`) {
			break
		}
		keep = append(keep, l)
	}
	if len(keep) < 100 || len(keep) == strings.Count(string(b), "\n") {
		t.Fatalf("previous story: %d of %d lines", len(keep), strings.Count(string(b), "\n"))
	}
	path = filepath.Join(t.TempDir(), "previous.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(keep, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, len(keep)
}

// auditQuestions are asked of every archive compared below; they live in
// testdata, as the bundled story's other expectations do.
func auditQuestions(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile("testdata/bundled-audit.json")
	if err != nil {
		t.Fatal(err)
	}
	var qs [][]string
	if err := json.Unmarshal(b, &qs); err != nil {
		t.Fatal(err)
	}
	return qs
}

func answers(t *testing.T, dir string, qs [][]string, extra ...string) []any {
	t.Helper()
	var out []any
	for _, q := range qs {
		raw := mustStory(t, dir, append(append(append([]string{}, q...), "--json"), extra...)...)
		var v any
		dec := json.NewDecoder(strings.NewReader(raw))
		var all []any
		for dec.More() {
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("%v: %v", q, err)
			}
			all = append(all, stable(v))
		}
		out = append(out, all)
	}
	return out
}

// stable drops what differs between two archives that stored the same
// records in another order or at other moments: stream sequences, when
// errata were recorded.
func stable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if _, mark := x["of"]; mark {
			delete(x, "at")
		}
		delete(x, "seq")
		delete(x, "recorded")
		for k, e := range x {
			x[k] = stable(e)
		}
	case []any:
		for i, e := range x {
			x[i] = stable(e)
		}
	}
	return v
}

// TestPreviousBundledStoryThroughErrata: an archive holding the previous
// bundled story gets the current one by `story import`, through errata,
// and answers as a fresh import does; asked as it stood before, it
// answers as the previous story did.
func TestPreviousBundledStoryThroughErrata(t *testing.T) {
	prev, n := previousBundled(t)
	upgraded, fresh, old := t.TempDir(), t.TempDir(), t.TempDir()
	mustStory(t, upgraded, "import", prev)
	mustStory(t, old, "import", prev)
	before := time.Now()
	var res importResult
	if err := json.Unmarshal([]byte(mustStory(t, upgraded, "import", "--json")), &res); err != nil {
		t.Fatal(err)
	}
	if res.Present != n || res.Stored == 0 {
		t.Fatalf("import over the previous story: %+v; want %d present and the errata stored", res, n)
	}
	mustStory(t, fresh, "import")
	qs := auditQuestions(t)
	got, want := answers(t, upgraded, qs), answers(t, fresh, qs)
	for i, q := range qs {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%v: the upgraded archive answers otherwise than a fresh import", q)
		}
	}
	audit := answers(t, upgraded, qs, "--as-recorded", before.Format(time.RFC3339Nano))
	then := answers(t, old, qs)
	changed := 0
	for i, q := range qs {
		if !reflect.DeepEqual(audit[i], then[i]) {
			t.Errorf("%v --as-recorded before the errata: not the previous story's answer", q)
		}
		if !reflect.DeepEqual(audit[i], got[i]) {
			changed++
		}
	}
	if changed < len(qs)/2 {
		t.Errorf("the errata changed %d of %d answers; the test checks little", changed, len(qs))
	}
}
