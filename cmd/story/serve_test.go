package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storyline/archive"
	"storyline/poll"
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
		checked(t, s.Close)
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
	checked(t, s.Close)
	if _, err := os.Stat(filepath.Join(dir, "serve.json")); !os.IsNotExist(err) {
		t.Errorf("serve left its address behind: %v", err)
	}
	for i, q := range queries {
		if got := mustStory(t, dir, q...); got != viaServe[i] {
			t.Errorf("%v: in process and through serve differ:\n%s\n%s", q, got, viaServe[i])
		}
	}
}

// TestWatchStopsWhenAnotherArchiveTakesTheAddress: a watch that reconnects
// to whatever server now answers at its address must not print another
// archive's events as if they were the next ones of its own.
func TestWatchStopsWhenAnotherArchiveTakesTheAddress(t *testing.T) {
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	checked(t, l.Close) // it only lent its port
	serve := func(dir string) *server.Server {
		t.Helper()
		s, err := server.Open(ctx, server.Config{Archive: archive.Config{DataDir: dir, Listen: addr}}, query.NewEngine())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	dirA, dirB := t.TempDir(), t.TempDir()
	mustStory(t, dirA, "import", "testdata/other-story.jsonl")
	mustStory(t, dirB, "import") // the bundled story: more records than A holds
	a := serve(dirA)
	url := "nats://" + addr

	var out lockedBuffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- m.Run(wctx, []string{"watch", "--nats-url", url, "--from-seq", "1", "--json"}) }()
	lines := func() int { return strings.Count(out.String(), "\n") }
	poll.Until(t, "watch to print A's 5 events", func() bool { return lines() >= 5 })
	if lines() != 5 {
		t.Fatalf("watch printed %d lines of A's 5 events", lines())
	}
	// --json carries what text mode prints: the summary and the changes.
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var v map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &v); err != nil || v["changes"] == nil || v["summary"] == nil || v["seq"] == nil {
			t.Fatalf("watch --json line lacks seq, summary or changes (%v): %s", err, l)
		}
	}
	checked(t, a.Close)
	b := serve(dirB)
	defer checked(t, b.Close)
	select {
	case err := <-done:
		if !errors.Is(err, archive.ErrOtherArchive) || !strings.Contains(err.Error(), "stopped after seq 5") {
			t.Fatalf("watch ended with %v; want ErrOtherArchive after seq 5", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("watch went on after another archive took the address")
	}
	if n := lines(); n != 5 {
		t.Errorf("watch printed %d lines; want A's 5 alone:\n%s", n, out.String())
	}
}
