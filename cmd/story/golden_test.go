package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestGoldenTables pins the human output of the query commands on the
// invented story. Refresh with: go test ./cmd/story -run Golden -update
// empty matches what the printers write for an empty answer.
var empty = regexp.MustCompile(`(?m)^\(no [^)]*\)$|\b0 voting member\(s\), 0 observer\(s\)`)

func TestGoldenTables(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import", "../../projections/testdata/halvorsen.jsonl")
	k := []string{"--known-at", "2025-01-01T00:00:00Z"}
	tests := []struct {
		name string
		args []string
	}{
		{"board", append([]string{"board", "--org", "halvorsen", "--at", "2024-02-16 12:00 CET"}, k...)},
		{"board-known-before-correction", []string{"board", "--org", "halvorsen", "--at", "2024-02-16 12:00 CET", "--known-at", "2024-02-16 09:30 CET"}},
		{"roles", append([]string{"roles", "--org", "halvorsen", "--at", "2024-02-20 09:00 SGT"}, k...)},
		// A fixed-offset zone word converts every time shown, not only labels it.
		{"board-in-pst", append([]string{"board", "--org", "halvorsen", "--at", "2024-02-16 03:00 PST"}, k...)},
		{"status", append([]string{"status", "kari-nordmann", "--at", "2024-03-03", "--tz", "Europe/Oslo"}, k...)},
		{"claims", append([]string{"claims", "--at", "2025-01-01"}, k...)},
		{"sources", append([]string{"sources", "--at", "2025-01-01"}, k...)},
		{"stakes", append([]string{"stakes", "--org", "halvorsen", "--at", "2025-01-01"}, k...)},
		{"timeline", append([]string{"timeline", "--entity", "tom-becker", "--by", "reported"}, k...)},
		{"diff", append([]string{"diff", "--from", "2024-02-01", "--to", "2024-03-05"}, k...)},
		{"replay", append([]string{"replay", "--from", "2024-02-10", "--until", "2024-02-17"}, k...)},
	}
	// The check below knows an empty answer when it sees one.
	for _, q := range [][]string{{"board", "--org", "halvorsen", "--at", "1990-01-01"}, {"claims", "--at", "1990-01-01", "--known-at", "1990-01-01"}} {
		if out := mustStory(t, dir, q...); !empty.MatchString(out) {
			t.Fatalf("story %v: an empty answer the check does not see:\n%s", q, out)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustStory(t, dir, tt.args...)
			path := filepath.Join("testdata", "golden", tt.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
			}
			// Every question here was chosen to have an answer, so an
			// -update that pins an empty table is a mistake.
			if empty.MatchString(got) {
				t.Errorf("an empty answer: %q", empty.FindString(got))
			}
		})
	}
}
