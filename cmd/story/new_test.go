package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"storyline/events"
)

// fillIns replace the placeholders of `story new` as a writer would.
var fillIns = strings.NewReplacer(
	"CLAIM-ID-OR-KEY", "4f1d6a38-2c8e-4b7a-9d0e-7a1b2c3d4e5f", "EVIDENCE-ID-OR-KEY", "5a2e7b49-3d9f-4c8b-8e1f-8b2c3d4e5f60",
	"EVENT-ID-OR-KEY", "6b3f8c5a-4ea0-4d9c-9f20-9c3d4e5f6071", "EVENT-ID", "6b3f8c5a-4ea0-4d9c-9f20-9c3d4e5f6071", "STORY-SLUG", "acme-2025", "PETITION-SLUG", "staff-letter", "SLUG", "ann-okafor",
	"ORG", "acme", "PERSON", "ann-okafor", "ENTITY", "acme", "HOLDER", "fjord-capital", "URL OF THE PAGE READ", "https://harbor.example/acme-news",
	`"outlet":""`, `"outlet":"Harbor Wire"`, `"name":""`, `"name":"Ann Okafor"`, `"text":""`, `"text":"Acme will move"`,
	`"title":""`, `"title":"Acme moves"`, `"body":""`, `"body":"Acme moves to Oslo."`, `"reason":""`, `"reason":"misdated"`)

// TestNewTemplatesImport: `story new` lists every type; the line it prints
// for each is refused as it is, and imports once its placeholders are
// filled in.
func TestNewTemplatesImport(t *testing.T) {
	list := mustStory(t, "", "new")
	var filled []string
	for _, typ := range events.Types {
		if !strings.Contains(list, string(typ)+" ") {
			t.Errorf("story new does not list %s", typ)
		}
		line := strings.TrimSpace(mustStory(t, "", "new", string(typ)))
		if _, err := events.Decode([]byte(line)); err == nil {
			t.Errorf("%s: the unfilled template decodes: %s", typ, line)
		}
		filled = append(filled, fillIns.Replace(line))
	}
	// The entities the filled lines name, described as the writer would.
	for _, d := range [][]string{{"--org", "acme", "--kind", "org", "--text", "Acme", "--outlet", "Editors"}, {"--org", "fjord-capital", "--kind", "org", "--text", "Fjord Capital", "--outlet", "Editors"}} {
		filled = append(filled, fillIns.Replace(strings.TrimSpace(mustStory(t, "", append([]string{"new", "entity.described"}, d...)...))))
	}
	file := filepath.Join(t.TempDir(), "filled.jsonl")
	if err := os.WriteFile(file, []byte(strings.Join(filled, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustStory(t, t.TempDir(), "import", file)
	if !strings.HasPrefix(out, "stored "+strconv.Itoa(len(events.Types)+2)+",") {
		t.Errorf("import of the filled templates: %q", out)
	}
	if _, errOut, code := story(t, "", "", "new", "role.begun"); code == 0 || !strings.Contains(errOut, "role.started") {
		t.Errorf("new role.begun: exit %d, %q; want the types listed", code, errOut)
	}
}
