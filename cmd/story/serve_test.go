package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"storyline/archive"
	"storyline/query"
	"storyline/server"
)

// TestQueriesUseRunningServe runs the query commands once through a running
// `story serve` (found through the address it records in the data dir) and
// once in process after it stopped: the answers must be identical.
func TestQueriesUseRunningServe(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import", "../../projections/testdata/halvorsen.jsonl")
	queries := [][]string{
		{"board", "--org", "halvorsen", "--at", "2024-02-16 12:00 CET", "--known-at", "2024-02-16 09:30 CET", "--json"},
		{"roles", "--org", "halvorsen", "--at", "2024-02-20", "--known-at", "2025-01-01", "--json"},
		{"status", "李伟", "--at", "2024-03-02", "--known-at", "2025-01-01", "--json"},
		{"timeline", "--entity", "becker", "--known-at", "2025-01-01", "--json"},
		{"claims", "--at", "2025-01-01", "--known-at", "2025-01-01", "--json"},
		{"sources", "--at", "2025-01-01", "--known-at", "2025-01-01", "--json"},
		{"diff", "--from", "2024-02-01", "--to", "2024-03-05", "--known-at", "2025-01-01", "--json"},
		{"replay", "--known-at", "2025-01-01", "--json"},
	}
	s, err := server.Open(context.Background(), server.Config{Archive: archive.Config{DataDir: dir, Listen: "127.0.0.1:-1"}}, query.NewEngine())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "serve.json")); err != nil {
		s.Close()
		t.Fatalf("serve recorded no address: %v", err)
	}
	// While serve holds the data dir, writes go through it as well.
	out := mustStory(t, dir, "import", "testdata/other-story.jsonl")
	if out != "stored 5, already present 0, rejected 0\n" {
		t.Errorf("import through serve: %q", out)
	}
	viaServe := make([]string, len(queries))
	for i, q := range queries {
		viaServe[i] = mustStory(t, dir, q...)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, "serve.json")); !os.IsNotExist(err) {
		t.Errorf("serve left its address behind: %v", err)
	}
	for i, q := range queries {
		if got := mustStory(t, dir, q...); got != viaServe[i] {
			t.Errorf("%v: in process and through serve differ:\n%s\n%s", q, got, viaServe[i])
		}
	}
}
