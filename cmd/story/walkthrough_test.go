package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEWalkthrough runs README's "Write your own story" section as a
// newcomer would: it writes each ```jsonl FILE block, runs each ./story
// command of the ```sh blocks in order, and checks that the output holds
// every "# " line that follows the command.
func TestREADMEWalkthrough(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(b)
	start := strings.Index(section, "## Write your own story")
	if start < 0 {
		t.Fatal("README has no walk-through")
	}
	section = section[start:]
	section = section[:strings.Index(section[3:], "\n## ")+3]
	dir, data := t.TempDir(), t.TempDir()
	commands := 0
	for _, block := range strings.Split(section, "```")[1:] {
		head, body, _ := strings.Cut(block, "\n")
		switch {
		case strings.HasPrefix(head, "jsonl "):
			name := strings.TrimSpace(strings.TrimPrefix(head, "jsonl "))
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		case head == "sh":
			commands += runWalkthrough(t, body, dir, data)
		}
	}
	if commands < 8 {
		t.Fatalf("ran %d commands of the walk-through", commands)
	}
}

// runWalkthrough runs the ./story lines of one block; it returns how many.
func runWalkthrough(t *testing.T, block, dir, data string) int {
	t.Helper()
	var out string
	n := 0
	check := func(want string) {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(block, "\n") {
		switch {
		case strings.HasPrefix(line, "./story "):
			n++
			args := shellWords(strings.TrimPrefix(line, "./story "))
			for i, a := range args {
				if _, err := os.Stat(filepath.Join(dir, a)); err == nil && strings.HasSuffix(a, ".jsonl") {
					args[i] = filepath.Join(dir, a)
				}
				if i > 0 && args[i-1] == "--data-dir" {
					args[i] = data
				}
			}
			var o, e bytes.Buffer
			m := &Main{Stdin: strings.NewReader(""), Stdout: &o, Stderr: &e, Getenv: func(string) string { return "" }}
			err := m.Run(context.Background(), args)
			reportErr(&e, err)
			out = o.String() + e.String()
		case strings.HasPrefix(line, "# "):
			check(strings.TrimPrefix(line, "# "))
		}
	}
	return n
}

// shellWords splits a command line as a shell would for the README's
// commands: spaces, and double quotes around words with spaces.
func shellWords(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, in := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, in = !quoted, true
		case r == ' ' && !quoted:
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}
