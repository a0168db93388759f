package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"storyline/archive"
	"storyline/gen"
	"storyline/poll"
	"storyline/projector"
	"storyline/query"
	"storyline/snapshot"
)

// snapshotQuestions are asked of the views in the snapshot tests: views
// of the whole story, none naming an entity of it, at fixed moments.
var snapshotQuestions = [][]string{
	{"timeline", "--json"}, {"stories", "--json"}, {"quarantine", "--json"},
	{"claims", "--json", "--at", "2023-11-20T00:00:00Z", "--known-at", "2025-01-01T00:00:00Z"},
	{"sources", "--json", "--at", "2025-01-01T00:00:00Z", "--known-at", "2025-01-01T00:00:00Z"},
	{"diff", "--from", "2023-11-16 PT", "--to", "2023-11-23 PT", "--known-at", "2025-01-01T00:00:00Z", "--json"},
}

// askAll asks every snapshot question of the archive in dir, in process,
// and returns the answers and what the commands said on stderr.
func askAll(t *testing.T, dir string) (answers, stderr string) {
	t.Helper()
	var out, errs strings.Builder
	for _, q := range snapshotQuestions {
		o, e, code := story(t, dir, "", q...)
		if code != 0 {
			t.Fatalf("story %s: exit %d: %s", strings.Join(q, " "), code, e)
		}
		out.WriteString(o)
		errs.WriteString(e)
	}
	return out.String(), errs.String()
}

// TestDeletingSnapshotsIsSafe: an import leaves a snapshot of the views;
// the answers from it, and with the snapshots deleted, are the same.
func TestDeletingSnapshotsIsSafe(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import")
	if seq := snapshotSeq(t, projector.Path(dir, "STORY")); seq == 0 {
		t.Fatal("the import left no snapshot")
	}
	fromSnapshot, errs := askAll(t, dir)
	if errs != "" {
		t.Fatalf("stderr from the snapshot: %s", errs)
	}
	if err := os.RemoveAll(projector.Dir(dir)); err != nil {
		t.Fatal(err)
	}
	rebuilt, errs := askAll(t, dir)
	if errs != "" || rebuilt != fromSnapshot {
		t.Fatalf("with the snapshots deleted the answers differ (stderr %q)", errs)
	}
}

// TestRefusedSnapshots: a snapshot of another archive, one with a byte
// flipped, one cut short, one ahead of the stream and one of another
// version are each refused with one line on stderr naming why; the views
// are rebuilt from the stream, every answer is right, and a good snapshot
// replaces the refused one.
func TestRefusedSnapshots(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import")
	path := projector.Path(dir, "STORY")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, errs := askAll(t, dir)
	if errs != "" {
		t.Fatalf("stderr with a good snapshot: %s", errs)
	}
	// Another archive, shorter, and one longer: the bundled story and more.
	other, ahead := t.TempDir(), t.TempDir()
	mustStory(t, other, "import", halvorsen)
	mustStory(t, ahead, "import")
	mustStory(t, ahead, "import", halvorsen)
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x20
	for _, c := range []struct {
		name string
		file []byte
		why  string
	}{
		{"another archive's", readFile(t, projector.Path(other, "STORY")), "another archive"},
		{"a flipped byte", flipped, "snapshot damaged: checksum mismatch"},
		{"truncated", good[:len(good)/2], "snapshot cut short"},
		{"ahead of the stream", readFile(t, projector.Path(ahead, "STORY")), "ahead of the stream: it covers seq"},
		{"another version", otherVersion(t, good), "snapshot of another version: version 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(path, c.file, 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := story(t, dir, "", snapshotQuestions[0]...)
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if code != 0 || len(lines) != 1 || !strings.HasPrefix(lines[0], "story: snapshot "+path+" refused: ") ||
				!strings.Contains(lines[0], c.why) || !strings.HasSuffix(lines[0], "; the views are rebuilt from the stream") {
				t.Fatalf("exit %d, stderr:\n%s\nwant one line naming %q", code, errOut, c.why)
			}
			if !strings.HasPrefix(want, out) {
				t.Fatalf("the answer rebuilt after the refusal differs:\n%.300s", out)
			}
			// The refused snapshot was replaced by a good one.
			if got, errs := askAll(t, dir); got != want || errs != "" {
				t.Fatalf("after the refusal: answers equal %v, stderr %q", got == want, errs)
			}
		})
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// otherVersion is the snapshot b written again as version 2.
func otherVersion(t *testing.T, b []byte) []byte {
	t.Helper()
	rd, err := snapshot.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	g := query.NewEngine()
	if err := rd.Restore(context.Background(), g, 0, nil); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := snapshot.Write(&out, snapshot.Header{Stamp: rd.Header().Stamp, Version: 2}, g); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestSnapshotWriterKilledMidWrite kills `story serve` with SIGKILL while
// it writes a snapshot (its temporary file half written): the snapshot
// before it stays whole, and the next command answers as a rebuild from
// the stream does, saying nothing of the snapshot.
func TestSnapshotWriterKilledMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	dir := t.TempDir()
	mustStory(t, dir, "import") // the snapshot to keep
	kept := snapshotSeq(t, projector.Path(dir, "STORY"))
	a, err := archive.Open(context.Background(), archive.Config{DataDir: dir, LazySync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(context.Background(), gen.Generate(gen.Config{Events: 60000, Seed: 31}), nil); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := storyProcess(t, &stderr, "serve", "--data-dir", dir, "--listen", "127.0.0.1:-1", "--http", "",
		"--snapshot-events", "1000", "--skip-verify")
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var tmp []string
	poll.Until(t, "serve writing a snapshot", func() bool {
		select {
		case err := <-exited:
			t.Fatalf("serve ended: %v\n%s", err, stderr.String())
		default:
		}
		tmp, _ = filepath.Glob(filepath.Join(projector.Dir(dir), "*.tmp"))
		return len(tmp) > 0
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; cmd.ProcessState.Exited() {
		t.Fatalf("serve ended by itself before the kill: %v\n%s", err, stderr.String())
	}
	if err := os.Remove(filepath.Join(dir, "serve.json")); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(projector.Dir(dir), "*.tmp"))
	if len(left) == 0 {
		t.Fatalf("serve finished writing %v before it was killed", tmp)
	}
	seq := snapshotSeq(t, projector.Path(dir, "STORY")) // whole, or the test fails here
	t.Logf("killed with %d temporary file(s) left; the snapshot covers seq %d (the import's: %d)", len(left), seq, kept)
	got, errs := askAll(t, dir)
	if errs != "" {
		t.Fatalf("stderr after the kill: %s", errs)
	}
	if err := os.RemoveAll(projector.Dir(dir)); err != nil {
		t.Fatal(err)
	}
	if rebuilt, _ := askAll(t, dir); got != rebuilt {
		t.Fatal("answers after the kill differ from a rebuild from the stream")
	}
}
