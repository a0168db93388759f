package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"storyline/query"
)

// TestTwoStoriesOneArchive: two stories imported into one archive answer,
// each with --story, as two archives holding one story each do; without
// --story the archive holds both.
func TestTwoStoriesOneArchive(t *testing.T) {
	both, bundled, other := t.TempDir(), t.TempDir(), t.TempDir()
	const file = "testdata/other-story.jsonl"
	mustStory(t, both, "import")
	mustStory(t, both, "import", file, "--story", "other")
	mustStory(t, bundled, "import")
	mustStory(t, other, "import", file, "--story", "other")

	var all, one []query.StoryInfo
	if err := json.Unmarshal([]byte(mustStory(t, both, "stories", "--json")), &all); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(mustStory(t, bundled, "stories", "--json")), &one); err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || len(one) != 1 || all[0] != one[0] && all[1] != one[0] {
		t.Fatalf("stories: %+v in the shared archive, %+v in the bundled one", all, one)
	}
	for _, tc := range []struct {
		story, alone string
	}{{one[0].Story, bundled}, {"other", other}} {
		for _, q := range [][]string{
			{"sources", "--at", "2030-01-01", "--known-at", "2030-01-01"},
			{"claims", "--at", "2030-01-01", "--known-at", "2030-01-01"},
			{"timeline", "--known-at", "2030-01-01"},
		} {
			alone := jsonLines(t, mustStory(t, tc.alone, append(q, "--json")...))
			shared := jsonLines(t, mustStory(t, both, append(q, "--json", "--story", tc.story)...))
			if !reflect.DeepEqual(alone, shared) {
				t.Errorf("%s --story %s: the shared archive answers otherwise than an archive of that story alone", q[0], tc.story)
			}
		}
	}
	mixed := jsonLines(t, mustStory(t, both, "sources", "--at", "2030-01-01", "--known-at", "2030-01-01", "--json"))
	if reflect.DeepEqual(mixed, jsonLines(t, mustStory(t, other, "sources", "--at", "2030-01-01", "--known-at", "2030-01-01", "--json"))) {
		t.Error("without --story the shared archive answers as one story: the test checks nothing")
	}
	if _, errOut, code := story(t, both, "", "claims", "--story", "nosuch"); code == 0 || !strings.Contains(errOut, "no story \"nosuch\"") {
		t.Errorf("claims --story nosuch: exit %d, %q", code, errOut)
	}
}

// jsonLines decodes JSON values (one, or one per line) without the fields
// that differ between two archives holding the same events: stream
// sequences and when errata were recorded.
func jsonLines(t *testing.T, s string) []any {
	t.Helper()
	var out []any
	dec := json.NewDecoder(strings.NewReader(s))
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, stable(v))
	}
	return out
}
