package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFormatExamplesStory imports the examples of docs/FORMAT.md as one
// file, as a writer who read only that page would, and asks them
// questions on both clocks.
func TestFormatExamplesStory(t *testing.T) {
	b, err := os.ReadFile("../../docs/FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, block := range strings.Split(string(b), "```json\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		lines = append(lines, strings.TrimSpace(block))
	}
	file := filepath.Join(t.TempDir(), "format.jsonl")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mustStory(t, dir, "import", file)
	if out := mustStory(t, dir, "import", file); !strings.HasPrefix(out, "stored 0,") {
		t.Errorf("second import: %q", out)
	}
	at := []string{"--at", "2025-03-03 10:15 Europe/Oslo"}
	for _, tc := range []struct {
		args []string
		want []string // all in the output
		not  []string // none in the output
	}{
		{append([]string{"roles", "--org", "nordlys", "--known-at", "2025-03-03 10:15 Europe/Oslo"}, at...), []string{"Eva Lind"}, []string{"Jon Berg"}},
		{append([]string{"roles", "--org", "nordlys", "--known-at", "2025-03-03 10:45 Europe/Oslo"}, at...), []string{"Jon Berg", "interim"}, []string{"Eva Lind"}},
		{[]string{"claims", "--at", "2030-01-01", "--known-at", "2025-03-02 Europe/Oslo"}, []string{"open", "relayed", "0 confirmed"}, nil},
		{[]string{"claims"}, []string{"confirmed", "partly", "part 2 refuted", "erratum"}, []string{"Berg is under investigation"}},
		{[]string{"timeline", "--entity", "berg", "--known-at", "2025-03-03 12:00 Europe/Oslo"}, []string{"until a new CEO is found"}, []string{"until the board finds"}},
		{[]string{"timeline", "--entity", "berg"}, []string{"until the board finds"}, nil},
		{[]string{"stories"}, []string{"nordlys-2025"}, nil},
		{[]string{"status", "lind", "--at", "2025-03-06 Europe/Oslo"}, []string{"announced to join Fjord Capital"}, nil},
	} {
		out := mustStory(t, dir, tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(out, w) {
				t.Errorf("%v: output has %q:\n%s", tc.args, w, out)
			}
		}
	}
}
